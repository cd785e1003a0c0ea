//! Names as people type them: the domain's folding and slugs
//! ([`habeas_domain::names`]), so that the read models and every front end
//! agree on who "rorng chhun" is.

pub use habeas_domain::names::{fold, plain_slug, slug_candidates};
