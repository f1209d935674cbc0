//! Command-line definitions. Each flag is defined here once, with its documentation; `--help`
//! is generated from it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const RENDER_HELP: &str = "\
Exit codes:
  0  rendered (warnings may have been printed)
  1  the spec is invalid or asks for something a target cannot express; nothing is written
  2  usage, I/O or internal error; nothing is replaced";

const MERGE_HELP: &str = "\
Exit codes:
  0  merged (or nothing to add)
  1  the existing policy cannot take the statements (NotAction/NotPrincipal, a conflicting
     statement, over 20 KB), or the spec is invalid
  2  usage or I/O error (the bucket is not in the spec, the file is not a policy)";

const EXIT_CODES: &str = "\
Exit codes (every command):
  0  clean
  1  findings: an invalid spec (or, with --deny-warnings, warnings)
  2  usage, I/O or internal error";

/// What `--version` says: the version, the commit it was built from (build.rs) and whether the
/// AWS commands are in this build, so a bug report carries all three.
#[cfg(feature = "aws")]
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("CHATLOG_COMMIT"),
    "\naws commands: included (plan, apply, drift, inventory, import)"
);
#[cfg(not(feature = "aws"))]
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("CHATLOG_COMMIT"),
    "\naws commands: not in this build (built without the `aws` feature)"
);

#[derive(Debug, Parser)]
#[command(name = "chatlog", version, long_version = LONG_VERSION, about = "Chat logging as code for Amazon IVS Chat", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check specs against the schema and the IVS Chat rules
    #[command(after_help = EXIT_CODES)]
    Validate {
        /// Spec files (YAML or JSON); several are merged into one spec
        #[arg(required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Exit 1 when there are warnings, not only errors
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the spec's JSON Schema (for editors and other tools)
    #[command(after_help = EXIT_CODES)]
    Schema,
    /// Render CloudFormation templates, Terraform modules and policy documents from specs
    #[command(after_help = RENDER_HELP)]
    Render {
        /// Spec files (YAML or JSON); several are merged into one spec
        #[arg(required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        /// What to render
        #[arg(long, value_enum, default_value = "all")]
        target: RenderTarget,
        /// Output folder; chatlog owns its `cloudformation/`, `graph/`, `policies/` and
        /// `terraform/` subfolders and replaces them as a whole
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Template format (policy documents are always JSON)
        #[arg(long, value_enum, default_value = "yaml")]
        format: TemplateFormat,
        /// Format of the diagnostics printed when the spec cannot be rendered
        #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
        diagnostics_format: Format,
    },
    /// Check that committed rendered files still match the specs (never writes)
    #[command(after_help = CHECK_HELP)]
    Check {
        /// Spec files (YAML or JSON); several are merged into one spec
        #[arg(required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        /// The folder the files were rendered into (`render --out`)
        #[arg(long, value_name = "DIR")]
        against: PathBuf,
        /// Which target folders to compare
        #[arg(long, value_enum, default_value = "all")]
        target: RenderTarget,
        /// Template format the files were rendered in
        #[arg(long, value_enum, default_value = "yaml")]
        template_format: TemplateFormat,
        /// Report format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Draw rooms -> logging configurations -> destinations as Mermaid or Graphviz DOT
    #[command(after_help = GRAPH_HELP)]
    Graph {
        /// Spec files (YAML or JSON); several are merged into one spec
        #[arg(required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        /// Picture format
        #[arg(long, value_enum, default_value = "mermaid")]
        format: GraphFormat,
        /// Draw only this deployment
        #[arg(long, value_name = "ACCOUNT/REGION")]
        deployment: Option<String>,
        /// Write to FILE (atomically) instead of printing; only replaces a file chatlog wrote
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Format of the diagnostics printed when the spec is invalid
        #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
        diagnostics_format: Format,
    },
    /// Work with the resource policies log delivery needs
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Show what apply would change in each deployment's account (read-only)
    #[command(after_help = PLAN_HELP)]
    Plan {
        /// Spec files (YAML or JSON); several are merged into one spec
        #[arg(required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        #[command(flatten)]
        aws: StateArgs,
        /// Also plan deleting resources this spec created that it no longer declares
        #[arg(long)]
        prune: bool,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: PlanFormat,
        /// Exit 1 when changes are pending (0 when none)
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Change each deployment's account to match the specs: destinations' policies, logging
    /// configurations (waiting until ACTIVE), then rooms
    #[command(after_help = APPLY_HELP)]
    Apply {
        /// Spec files (YAML or JSON); several are merged into one spec
        #[arg(required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        #[command(flatten)]
        aws: StateArgs,
        /// Do not ask for confirmation (required without a terminal)
        #[arg(long)]
        auto_approve: bool,
        /// Delete resources this spec created that it no longer declares
        #[arg(long)]
        prune: bool,
        /// Append one CloudTrail-shaped JSON line per API call to FILE
        #[arg(long, value_name = "FILE")]
        audit_log: Option<PathBuf>,
        /// Seconds to wait for a logging configuration to become ACTIVE
        #[arg(long, default_value_t = 300, value_name = "SECONDS")]
        wait_timeout: u64,
        /// Output: text (the plan, progress lines or a progress display, the outcome), or json
        /// (one JSON object per line: the plan, every event as it happens, the outcome)
        #[arg(long, value_enum, default_value = "text")]
        format: PlanFormat,
    },
    /// Compare each deployment's account with the specs, read-only, including what log
    /// delivery needs
    #[command(after_help = DRIFT_HELP)]
    Drift {
        /// Spec files (YAML or JSON); several are merged into one spec
        #[arg(required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        #[command(flatten)]
        aws: StateArgs,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: DriftFormat,
        /// For each drifted resource, the CloudTrail events that wrote to it: who, when, from
        /// which address, with which call (LookupEvents; cloudtrail:LookupEvents)
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        baseline: BaselineArgs,
    },
    /// List every logging configuration and room in the account (all pages), read-only
    #[command(after_help = LIVE_HELP)]
    Inventory {
        #[command(flatten)]
        aws: AwsArgs,
        /// Regions to list; default: the region of the profile or environment
        #[arg(long = "region", value_name = "REGION")]
        regions: Vec<String>,
        /// Output format
        #[arg(long, value_enum, default_value = "table")]
        format: InventoryFormat,
    },
    /// Write a spec from what the account has: rooms, logging configurations, and their
    /// destinations as existing (read-only towards AWS)
    #[command(after_help = LIVE_HELP)]
    Import {
        #[command(flatten)]
        aws: AwsArgs,
        /// Regions to read; default: the region of the profile or environment
        #[arg(long = "region", value_name = "REGION")]
        regions: Vec<String>,
        /// Write the spec here instead of to standard output (never replaces an existing file
        /// unless --force)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace --out if it exists
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Write a starter spec (never overwrites a file)
    #[command(after_help = EXIT_CODES)]
    Init {
        /// Where to write the spec
        #[arg(default_value = "chatlog.yaml", value_name = "PATH")]
        path: PathBuf,
    },
    /// Print a shell completion script, generated from these definitions
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff), generated from these definitions: chatlog(1), or with a
    /// command, its own page, such as `chatlog man policy verify` for chatlog-policy-verify(1)
    #[command(after_help = MAN_HELP)]
    Man {
        /// The command whose page to print; none: the main page
        #[arg(value_name = "COMMAND")]
        command: Vec<String>,
    },
}

const COMPLETIONS_HELP: &str = "\
Install (one of):
  bash:        chatlog completions bash > ~/.local/share/bash-completion/completions/chatlog
  zsh:         chatlog completions zsh > \"${fpath[1]}/_chatlog\"
  fish:        chatlog completions fish > ~/.config/fish/completions/chatlog.fish
  powershell:  chatlog completions powershell >> $PROFILE
  elvish:      chatlog completions elvish >> ~/.config/elvish/rc.elv

Exit codes:
  0  printed
  2  usage or I/O error";

const MAN_HELP: &str = "\
Read one with `chatlog man | man -l -`, or install the pages:
  chatlog man > /usr/local/share/man/man1/chatlog.1
  chatlog man drift > /usr/local/share/man/man1/chatlog-drift.1

Exit codes:
  0  printed
  2  usage or I/O error (a command chatlog does not have)";

const LIVE_HELP: &str = "\
Credentials come from the standard chain (environment, --profile, SSO, instance roles);
AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> point clients elsewhere (LocalStack, a test
server). Calls are paced at the IVS Chat API quotas and retried on throttling and 5xx.

Exit codes:
  0  done
  2  usage, I/O or AWS error (the message names the operation, resource and AWS error code)";

const PLAN_HELP: &str = "\
Exit codes:
  0  planned (with --detailed-exitcode: nothing to change)
  1  the spec is invalid (or, with --detailed-exitcode, changes are pending)
  2  usage, I/O or AWS error";

const APPLY_HELP: &str = "\
Only resources tagged chatlog:spec=<the spec's name> are ever changed or deleted; resources of
the same name without the tag are reported and left alone.

Deployments are applied concurrently (--parallelism); one that fails stops alone, and the
report says per deployment what was done, what failed and what was not done. After the last
change apply reads every deployment back and plans again.

Exit codes:
  0  applied and verified (or nothing to do)
  1  the spec is invalid, a destination cannot take it (preflight), or reading back after
     apply shows the account still differs from the spec
  2  usage, I/O or AWS error: the message says what was done and what was not; run apply
     again to continue";

const DRIFT_HELP: &str = "\
Exit codes:
  0  the accounts match the specs (or --baseline accepts every finding)
  1  drift found, an expired or stale baseline entry (or an invalid spec)
  2  usage, I/O or AWS error, a malformed baseline (with its line and column)";

/// `drift` reports in every shared format, or as the spec's picture with the drift marked on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftFormat {
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
    /// The rooms -> configurations -> destinations picture (Mermaid) with drifted parts marked
    Mermaid,
}

impl DriftFormat {
    /// The shared report format, for all but the picture.
    pub fn report(self) -> Option<chatlog::report::Format> {
        match self {
            DriftFormat::Text => Some(chatlog::report::Format::Text),
            DriftFormat::Json => Some(chatlog::report::Format::Json),
            DriftFormat::Sarif => Some(chatlog::report::Format::Sarif),
            DriftFormat::Junit => Some(chatlog::report::Format::Junit),
            DriftFormat::Github => Some(chatlog::report::Format::Github),
            DriftFormat::Mermaid => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// For people: one line per change with the attribute differences
    Text,
    /// One JSON document with every change and a summary
    Json,
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

const CHECK_HELP: &str = "\
Exit codes:
  0  the committed files match the specs
  1  findings: a file missing, changed, or no longer rendered (or an invalid spec)
  2  usage, I/O or internal error";

const GRAPH_HELP: &str = "\
Exit codes:
  0  drawn
  1  the spec is invalid; nothing is drawn
  2  usage or I/O error (an unknown --deployment, --out names a file chatlog did not write)";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (GitHub draws it in Markdown)
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`)
    Dot,
}

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplateFormat {
    Yaml,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Add the statements log delivery needs to an existing bucket policy, keeping every other
    /// statement; idempotent. Prints the result unless --write
    #[command(after_help = MERGE_HELP)]
    Merge {
        /// Spec files; the bucket must be an S3 destination in them
        #[arg(long = "spec", required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        /// The bucket whose policy is merged into
        #[arg(long, value_name = "NAME")]
        bucket: String,
        /// The bucket's current policy document (JSON); an empty file means no policy yet
        #[arg(long, value_name = "FILE")]
        into: PathBuf,
        /// Replace FILE with the result (atomically) instead of printing it
        #[arg(long)]
        write: bool,
        /// Format of the diagnostics printed when the spec is invalid
        #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
        diagnostics_format: Format,
    },
    /// Check existing bucket and CloudWatch Logs policies against what log delivery needs for
    /// the spec's destinations: nothing missing or narrower, nothing broader or look-alike
    #[command(after_help = VERIFY_HELP)]
    #[command(group(
        clap::ArgGroup::new("policies")
            .required(true)
            .multiple(true)
            .args(["bucket_policies", "logs_policies"])
    ))]
    Verify {
        /// Spec files (YAML or JSON); several are merged into one spec
        #[arg(long = "spec", required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        /// A bucket's policy: a document, or `aws s3api get-bucket-policy` output (an empty
        /// file: no policy). The bucket must be an S3 destination of the spec
        #[arg(long = "bucket-policy", value_name = "NAME=FILE", value_parser = NamedFile::parse)]
        bucket_policies: Vec<NamedFile>,
        /// CloudWatch Logs resource policies: a document, or `aws logs
        /// describe-resource-policies` output; all files together are checked against every
        /// log group of the spec
        #[arg(long = "logs-policy", value_name = "FILE")]
        logs_policies: Vec<PathBuf>,
        /// Report format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[command(flatten)]
        baseline: BaselineArgs,
    },
}

const VERIFY_HELP: &str = "\
Exit codes:
  0  every policy grants what log delivery needs, and no more
  1  findings: a statement missing, narrower, broader, a look-alike, a blocking Deny,
     NotAction/NotPrincipal, an expired or stale baseline entry (or an invalid spec);
     findings --baseline accepts do not count
  2  usage or I/O error: an unreadable or unparsable policy or baseline (with file, line and
     column), a bucket the spec does not log to";

/// `NAME=FILE`: a name and the file that belongs to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedFile {
    pub name: String,
    pub path: PathBuf,
}

impl NamedFile {
    fn parse(value: &str) -> Result<NamedFile, String> {
        match value.split_once('=') {
            Some((name, path)) if !name.is_empty() && !path.is_empty() => Ok(NamedFile {
                name: name.to_owned(),
                path: PathBuf::from(path),
            }),
            _ => Err(format!("expected NAME=FILE, got `{value}`")),
        }
    }
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

impl TemplateFormat {
    pub fn to_render(self) -> chatlog::render::TemplateFormat {
        match self {
            TemplateFormat::Yaml => chatlog::render::TemplateFormat::Yaml,
            TemplateFormat::Json => chatlog::render::TemplateFormat::Json,
        }
    }
}

/// Report formats as the command line spells them; the library's `report::Format` knows
/// nothing of clap.
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

/// Inventory formats as the command line spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InventoryFormat {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON document: `{"logging_configurations": [...], "rooms": [...]}`.
    Json,
    /// One JSON object per line, each with a `resource` field.
    Jsonl,
    /// RFC 4180 CSV with a `resource` column; cells of the other kind are empty.
    Csv,
}

impl From<InventoryFormat> for chatlog::live::inventory::InventoryFormat {
    fn from(f: InventoryFormat) -> Self {
        use chatlog::live::inventory::InventoryFormat as Library;
        match f {
            InventoryFormat::Table => Library::Table,
            InventoryFormat::Json => Library::Json,
            InventoryFormat::Jsonl => Library::Jsonl,
            InventoryFormat::Csv => Library::Csv,
        }
    }
}
