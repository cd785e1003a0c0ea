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
                "{error}; check that the server is running, that the URL's host, port, \
                 user and database are right and that the server lets this user connect"
            ),
        };
    }
    backend(error)
}

/// A driver error that is none of the store's own kinds.
pub(crate) fn backend(error: tokio_postgres::Error) -> StoreError {
    StoreError::Backend {
        backend: "postgres",
        source: Box::new(error),
    }
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
