//! The driver's errors as the store's.

use habeas_store::StoreError;
use tokio_postgres::error::SqlState;

/// Maps a driver error on the store at `store` (a URL without its password): a lost or
/// refused connection is [`StoreError::Unavailable`], a full disk on the server
/// [`StoreError::DiskFull`], anything else [`StoreError::Backend`].
pub(crate) fn from_postgres(store: &str, error: tokio_postgres::Error) -> StoreError {
    if error.code() == Some(&SqlState::DISK_FULL) {
        return StoreError::DiskFull {
            location: format!("the database server of {store}"),
        };
    }
    if is_connection_error(&error) {
        return StoreError::Unavailable {
            store: store.to_owned(),
            reason: format!(
                "{}; check that the server is running, that the URL's host, port, \
                 user and database are right and that the server lets this user connect",
                describe(&error)
            ),
        };
    }
    backend(error)
}

/// A driver error that is none of the store's own kinds.
pub(crate) fn backend(error: tokio_postgres::Error) -> StoreError {
    StoreError::Backend {
        backend: "postgres",
        source: describe(&error).into(),
    }
}

/// The driver's error with what the server said: its `Display` alone is only the
/// kind ("db error"), the server's message, detail and hint sit in its source.
pub(crate) fn describe(error: &tokio_postgres::Error) -> String {
    let Some(db) = error.as_db_error() else {
        return match std::error::Error::source(error) {
            Some(source) => format!("{error}: {source}"),
            None => error.to_string(),
        };
    };
    let mut text = format!("{} ({}): {}", db.severity(), db.code().code(), db.message());
    if let Some(detail) = db.detail() {
        text.push_str("; ");
        text.push_str(detail);
    }
    if let Some(hint) = db.hint() {
        text.push_str("; hint: ");
        text.push_str(hint);
    }
    text
}

/// Whether the error says the connection is gone or could not be made (as opposed
/// to an error the server reported on a statement).
fn is_connection_error(error: &tokio_postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    match error.code() {
        Some(code) => {
            let class = &code.code()[..2];
            // 08: connection exception, 28: invalid authorization, 3D: invalid
            // catalog name (no such database), 57P: operator intervention
            // (the server shutting down).
            matches!(class, "08" | "28" | "3D") || code.code().starts_with("57P")
        }
        None => true,
    }
}

/// A URL as errors may show it: a password replaced by `***`.
pub(crate) fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _secret)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_are_not_shown() {
        let cases = [
            (
                "postgres://habeas:s3cret@db.example:5432/cases?sslmode=require",
                "postgres://habeas:***@db.example:5432/cases?sslmode=require",
            ),
            ("postgres://habeas@db/cases", "postgres://habeas@db/cases"),
            ("host=db user=habeas", "host=db user=habeas"),
        ];
        for (url, shown) in cases {
            assert_eq!(without_password(url), shown);
        }
    }
}
