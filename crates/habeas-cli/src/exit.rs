//! Exit codes, documented in `habeas --help` and README.md.

use std::fmt;
use std::process::ExitCode;

use habeas::error::TrackerError;
use habeas_store::StoreError;

/// What kind of failure ended the command; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// 1: the store could not be used.
    Store,
    /// 2: bad usage.
    Usage,
    /// 3: the rules refused the command.
    Rejected,
    /// 4: no such person, or an ambiguous name.
    NotFound,
    /// 5: verify found a problem.
    Verify,
}

impl Kind {
    pub(crate) fn exit_code(self) -> ExitCode {
        ExitCode::from(match self {
            Kind::Store => 1,
            Kind::Usage => 2,
            Kind::Rejected => 3,
            Kind::NotFound => 4,
            Kind::Verify => 5,
        })
    }
}

/// An error that knows its exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) kind: Kind,
    message: String,
}

impl Failure {
    fn new(kind: Kind, message: String) -> Self {
        Self { kind, message }
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message.into())
    }

    pub(crate) fn usage_from(err: anyhow::Error) -> Self {
        Self::new(Kind::Usage, err.to_string())
    }

    pub(crate) fn store(message: impl Into<String>) -> Self {
        Self::new(Kind::Store, message.into())
    }

    pub(crate) fn rejected(message: impl Into<String>) -> Self {
        Self::new(Kind::Rejected, message.into())
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, message.into())
    }

    pub(crate) fn verify(message: impl Into<String>) -> Self {
        Self::new(Kind::Verify, message.into())
    }

    pub(crate) fn from_tracker(err: TrackerError) -> Self {
        let (kind, message) = describe(&err);
        Self::new(kind, message)
    }
}

/// The exit class of a facade error, and its message as the CLI words it.
fn describe(err: &TrackerError) -> (Kind, String) {
    let kind = match err {
        TrackerError::Rejected(_) => Kind::Rejected,
        TrackerError::UnknownPerson { .. } | TrackerError::AmbiguousPerson { .. } => Kind::NotFound,
        TrackerError::Store(StoreError::InvalidStreamId { .. }) => Kind::Usage,
        TrackerError::NoStore { location } => {
            return (
                Kind::Store,
                format!("{err} (run `habeas --db {location} init` to create one)"),
            );
        }
        TrackerError::Store(_)
        | TrackerError::Projections(_)
        | TrackerError::Unreadable { .. }
        | TrackerError::Contention { .. } => Kind::Store,
    };
    let prefix = match kind {
        Kind::Rejected => "rejected, nothing recorded: ",
        _ => "",
    };
    (kind, format!("{prefix}{err}"))
}

/// What ended the command: its exit class and the message to print.
///
/// Commands return `anyhow::Error` and use `?` on facade errors directly; the
/// class is found here once, by looking for a [`Failure`] or a
/// [`TrackerError`] in the error, rather than at each call site.
pub(crate) fn classify(err: &anyhow::Error) -> (Kind, String) {
    if let Some(failure) = err.downcast_ref::<Failure>() {
        return (failure.kind, format!("{err:#}"));
    }
    if let Some(tracker) = err.downcast_ref::<TrackerError>() {
        let (kind, message) = describe(tracker);
        // Context added on the way up is kept; a bare facade error gets the
        // CLI's wording.
        if err.chain().count() == 1 {
            return (kind, message);
        }
        return (kind, format!("{err:#}"));
    }
    (Kind::Store, format!("{err:#}"))
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}
