//! Why a command stopped with exit code 2, by kind: what the command line asks that cannot be,
//! a file that cannot be read or written, an AWS call that failed, an apply that stopped
//! partway, or chatlog's own failure. Each library error keeps its own type (and its operation,
//! resource, AWS code and help) up to the one place that prints it.

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line asks for something that cannot be done as asked: a bucket the spec does
    /// not log to, a file that exists without `--force`, a directory where a file belongs.
    #[error("{0}")]
    Usage(String),
    /// A file, the terminal or the standard streams could not be read or written.
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Files(#[from] chatlog::files::WriteError),
    #[error(transparent)]
    Graph(#[from] chatlog::graph::GraphError),
    #[error(transparent)]
    Baseline(#[from] chatlog::baseline::BaselineError),
    #[error(transparent)]
    PolicyFile(#[from] chatlog::policy::verify::input::ReadError),
    #[cfg(feature = "aws")]
    #[error(transparent)]
    Aws(#[from] chatlog::aws::AwsError),
    #[cfg(feature = "aws")]
    #[error(transparent)]
    AuditLog(#[from] chatlog::aws::AuditLogError),
    #[cfg(feature = "aws")]
    #[error(transparent)]
    Import(#[from] chatlog::live::import::ImportError),
    /// An apply or a read that stopped partway: the message says what was done and what was
    /// not, and what to run next.
    #[cfg(feature = "aws")]
    #[error("{0}")]
    Live(String),
    /// A command of the AWS layer in a build without it.
    #[cfg(not(feature = "aws"))]
    #[error(
        "this chatlog was built without the AWS commands (`--no-default-features`): use a release binary, or build with the `aws` feature"
    )]
    WithoutAws,
    /// chatlog itself failed: never the user's input.
    #[error("internal error: {0}")]
    Internal(String),
}
