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
    /// 6: the server refused the credentials, or the account's role does
    /// not allow the command (client mode, `--server`).
    Denied,
}

impl Kind {
    pub(crate) fn exit_code(self) -> ExitCode {
        ExitCode::from(match self {
            Kind::Store => 1,
            Kind::Usage => 2,
            Kind::Rejected => 3,
            Kind::NotFound => 4,
            Kind::Verify => 5,
            Kind::Denied => 6,
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

    pub(crate) fn verify(message: impl Into<String>) -> Self {
        Self::new(Kind::Verify, message.into())
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, message.into())
    }

    pub(crate) fn denied(message: impl Into<String>) -> Self {
        Self::new(Kind::Denied, message.into())
    }

    pub(crate) fn from_tracker(err: TrackerError) -> Self {
        let (kind, message) = describe(&err);
        Self::new(kind, message)
    }
}

/// The exit class of a facade error, and its message as the CLI words it:
/// the facade's message, which names no front end's commands, with the
/// command that helps next.
fn describe(err: &TrackerError) -> (Kind, String) {
    let (kind, hint) = match err {
        TrackerError::Rejected(habeas_domain::error::DomainError::MissingSource { .. }) => (
            Kind::Rejected,
            Some(
                "give --source URL, or --document REF for a document without one, e.g. --document \"court file 123/2020\""
                    .to_owned(),
            ),
        ),
        TrackerError::Rejected(_) | TrackerError::NotAFact { .. } => (Kind::Rejected, None),
        TrackerError::MergeIntoItself { .. } => (Kind::Usage, None),
        TrackerError::UnknownPerson { suggestions, .. } => (
            Kind::NotFound,
            suggestions
                .is_empty()
                .then_some("list people with `habeas person list`".to_owned()),
        ),
        TrackerError::AmbiguousPerson { candidates, .. } => (
            Kind::NotFound,
            (candidates.len() > habeas::error::CANDIDATES_NAMED)
                .then_some("`habeas person list` lists everyone".to_owned()),
        ),
        TrackerError::UnknownEvent { .. } => (
            Kind::NotFound,
            Some("see `habeas history PERSON` for event ids".to_owned()),
        ),
        TrackerError::Amendment(_) | TrackerError::Store(StoreError::InvalidStreamId { .. }) => {
            (Kind::Usage, None)
        }
        TrackerError::NoStore { location } => (
            Kind::Store,
            Some(format!("run `habeas --db {location} init` to create one")),
        ),
        TrackerError::Unreadable { .. } => (Kind::Store, Some("run `habeas verify`".to_owned())),
        TrackerError::Store(_) | TrackerError::Projections(_) | TrackerError::Contention { .. } => {
            (Kind::Store, None)
        }
    };
    let prefix = match kind {
        Kind::Rejected => "rejected, nothing recorded: ",
        _ => "",
    };
    let message = match hint {
        Some(hint) => format!("{prefix}{err} ({hint})"),
        None => format!("{prefix}{err}"),
    };
    (kind, message)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facade_errors_get_their_exit_class_and_the_cli_command_that_helps() {
        let ambiguous = |n: usize| TrackerError::AmbiguousPerson {
            reference: "Thida Kem".into(),
            candidates: (0..n)
                .map(|idx| format!("Thida Kem (thida-kem-{idx}, id{idx})"))
                .collect(),
        };
        // (error, exit class, the message ends with)
        let cases = [
            (
                ambiguous(434),
                Kind::NotFound,
                "and 424 more; use the id or slug to choose (`habeas person list` lists everyone)",
            ),
            (ambiguous(2), Kind::NotFound, "use the id or slug to choose"),
            (
                TrackerError::UnknownPerson {
                    reference: "Nobody".into(),
                    suggestions: Vec::new(),
                },
                Kind::NotFound,
                "no person matches \"Nobody\" (list people with `habeas person list`)",
            ),
            (
                TrackerError::NoStore {
                    location: "/tmp/stroe".into(),
                },
                Kind::Store,
                "no store at /tmp/stroe (run `habeas --db /tmp/stroe init` to create one)",
            ),
            (
                TrackerError::Amendment(habeas_domain::amendment::AmendmentError::Nothing),
                Kind::Usage,
                "nothing to correct: give a new date, facility, term or source",
            ),
        ];
        for (error, kind, ends_with) in cases {
            let (got_kind, message) = describe(&error);
            assert_eq!(got_kind, kind, "{message}");
            assert!(message.ends_with(ends_with), "{message}");
        }
    }
}
