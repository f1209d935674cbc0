//! Argument groups more than one command takes, each defined once and flattened into the
//! commands (`#[command(flatten)]`), and the value enums the command line spells; the library
//! knows nothing of clap, so each enum maps onto the library's own type here.

use std::path::PathBuf;

/// The spec files, as the positional arguments of most commands.
#[derive(Debug, Clone, clap::Args)]
pub struct SpecFiles {
    /// Spec files (YAML or JSON); several are merged into one spec
    #[arg(required = true, value_name = "SPEC")]
    pub specs: Vec<PathBuf>,
}

/// The spec files, as `--spec` (the `policy` commands, whose positional place is taken by the
/// policies they read).
#[derive(Debug, Clone, clap::Args)]
pub struct SpecOption {
    /// Spec files (YAML or JSON); several are merged into one spec
    #[arg(long = "spec", required = true, value_name = "SPEC")]
    pub specs: Vec<PathBuf>,
}

/// How diagnostics are printed by commands whose own output is something else (render, graph,
/// policy merge).
#[derive(Debug, Clone, clap::Args)]
pub struct DiagnosticsFormat {
    /// Format of the diagnostics printed when the spec is invalid or cannot be rendered
    #[arg(
        long = "diagnostics-format",
        value_enum,
        default_value = "text",
        value_name = "FORMAT"
    )]
    pub diagnostics_format: Format,
}

/// How live commands reach AWS.
#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// A profile of the shared AWS config files
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Send every AWS request to this URL (LocalStack, moto, a test server)
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

/// How plan, apply and drift read an account: `AwsArgs`, and whether to reuse what the last run
/// saw of each room (only they read rooms one by one; inventory and import do not cache).
#[derive(Debug, Clone, clap::Args)]
pub struct StateArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Call GetRoom for every room instead of reusing the message limits the last run saw for
    /// rooms whose updateTime is unchanged (cache in --cache-dir, else $CHATLOG_CACHE_DIR, else
    /// $XDG_CACHE_HOME/chatlog or ~/.cache/chatlog)
    #[arg(long)]
    pub no_cache: bool,
    /// Deployments (account and region pairs) worked on at once; each is paced at its own
    /// account's and region's quotas
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,
    /// Keep the room cache in DIR instead (beats $CHATLOG_CACHE_DIR); a CI job that keeps DIR
    /// between runs (actions/cache) skips GetRoom for every room that did not change
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
}

/// Findings a team has accepted for now (`drift`, `policy verify`).
#[derive(Debug, Clone, clap::Args)]
pub struct BaselineArgs {
    /// Accept the findings FILE lists: they are still reported, marked as suppressed, but do not
    /// fail the run; its entries past their `expires` date (CL120) or matching no finding
    /// (CL121) are findings
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write this run's findings to FILE as a baseline to start from (entries of --baseline
    /// keep their reason), then report as it accepts them; never replaces a file unless --force
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Let --write-baseline replace an existing file
    #[arg(long, requires = "write_baseline")]
    pub force: bool,
}

/// Report formats as the command line spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable, with source snippets
    Text,
    /// One JSON document
    Json,
    /// SARIF 2.1.0, for code-scanning upload
    Sarif,
    /// JUnit XML, for CI test reports
    Junit,
    /// GitHub Actions annotations (workflow commands)
    Github,
}

impl From<Format> for chatlog::report::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Text => chatlog::report::Format::Text,
            Format::Json => chatlog::report::Format::Json,
            Format::Sarif => chatlog::report::Format::Sarif,
            Format::Junit => chatlog::report::Format::Junit,
            Format::Github => chatlog::report::Format::Github,
        }
    }
}

/// `plan` and `apply` output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// For people: one line per change with the attribute differences
    Text,
    /// One JSON document with every change and a summary
    Json,
}

/// What `render` writes and `check` compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RenderTarget {
    /// Every target below
    All,
    /// One CloudFormation template per account and region (split when too large)
    Cloudformation,
    /// Policy documents: bucket and log-group policies, deployer policy
    Policies,
    /// One Terraform root module per account and region
    Terraform,
    /// graph/graph.md: the rooms -> logging configurations -> destinations picture (Mermaid)
    Graph,
}

impl RenderTarget {
    /// The render targets this choice stands for.
    pub fn targets(self) -> Vec<chatlog::render::Target> {
        use chatlog::render::Target;
        match self {
            RenderTarget::All => vec![
                Target::CloudFormation,
                Target::Graph,
                Target::Policies,
                Target::Terraform,
            ],
            RenderTarget::Cloudformation => vec![Target::CloudFormation],
            RenderTarget::Policies => vec![Target::Policies],
            RenderTarget::Terraform => vec![Target::Terraform],
            RenderTarget::Graph => vec![Target::Graph],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplateFormat {
    Yaml,
    Json,
}

impl From<TemplateFormat> for chatlog::render::TemplateFormat {
    fn from(f: TemplateFormat) -> Self {
        match f {
            TemplateFormat::Yaml => chatlog::render::TemplateFormat::Yaml,
            TemplateFormat::Json => chatlog::render::TemplateFormat::Json,
        }
    }
}
