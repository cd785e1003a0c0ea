//! The changes one application of the log makes to a generation tree, and
//! the two ways of writing them.
//!
//! A tree in service gets them in one `sled::Batch` with the checkpoint, so a
//! crash leaves the read model of some checkpoint (see the crate docs). A
//! rebuild's new generation is read by no one until the switch, and an
//! interrupted rebuild is dropped whole on the next open; it gets them one
//! key at a time in key order, the checkpoint last. That matters for speed: a
//! rebuild applies large chunks of the log at once, and sled inserts a big
//! batch into its nodes far more slowly than the same keys one by one
//! (a chunk of 180 000 events as one batch rebuilt at less than half the
//! rate of pages of 4 096).

use crate::error::ProjectionError;
use crate::keys;

/// How a tree receives the changes of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteMode {
    /// One atomic batch with the checkpoint: for the tree in service.
    Atomic,
    /// Key by key, checkpoint last: for a rebuild's unpublished generation.
    Direct,
}

/// Changes in the order they were made; a later change of a key wins.
#[derive(Debug, Default)]
pub(crate) struct Writes {
    changes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

impl Writes {
    pub(crate) fn insert(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.changes.push((key.into(), Some(value.into())));
    }

    pub(crate) fn remove(&mut self, key: impl Into<Vec<u8>>) {
        self.changes.push((key.into(), None));
    }

    /// Writes the changes and then the checkpoint `(position, hash)` to
    /// `tree`, as `mode` says.
    pub(crate) fn commit(
        self,
        tree: &sled::Tree,
        mode: WriteMode,
        position: u64,
        hash: &str,
    ) -> Result<(), ProjectionError> {
        let checkpoint = keys::checkpoint_value(position, hash);
        match mode {
            WriteMode::Atomic => {
                let mut batch = sled::Batch::default();
                for (key, value) in self.changes {
                    match value {
                        Some(value) => batch.insert(key, value),
                        None => batch.remove(key),
                    }
                }
                batch.insert(keys::CHECKPOINT, checkpoint);
                tree.apply_batch(batch)?;
            }
            WriteMode::Direct => {
                let mut changes = self.changes;
                // Stable: the changes of one key keep their order. Key order
                // also keeps sled inserting into one node after another.
                changes.sort_by(|a, b| a.0.cmp(&b.0));
                for (key, value) in changes {
                    match value {
                        Some(value) => tree.insert(key, value)?,
                        None => tree.remove(key)?,
                    };
                }
                tree.insert(keys::CHECKPOINT, checkpoint)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(mode: WriteMode) -> Vec<(Vec<u8>, Vec<u8>)> {
        let db = sled::Config::new().temporary(true).open().expect("sled");
        let tree = db.open_tree("t").expect("tree");
        tree.insert("gone", "x").expect("insert");
        let mut writes = Writes::default();
        writes.insert("b", "1");
        writes.insert("a", "1");
        writes.remove("b");
        writes.insert("a", "2");
        writes.remove("gone");
        writes.insert("x", "1");
        writes.remove("x");
        writes.insert("x", "3");
        writes.commit(&tree, mode, 7, "h").expect("commit");
        tree.iter()
            .map(|entry| entry.expect("read"))
            .map(|(key, value)| (key.to_vec(), value.to_vec()))
            .collect()
    }

    #[test]
    fn both_modes_leave_the_same_tree_with_the_last_change_of_each_key() {
        let atomic = written(WriteMode::Atomic);
        assert_eq!(atomic, written(WriteMode::Direct));
        let keys: Vec<&[u8]> = atomic.iter().map(|(key, _)| key.as_slice()).collect();
        assert!(keys.contains(&b"a".as_slice()) && keys.contains(&b"x".as_slice()));
        assert!(!keys.contains(&b"b".as_slice()) && !keys.contains(&b"gone".as_slice()));
        let value = |key: &[u8]| {
            atomic
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(value(b"a"), Some(b"2".to_vec()));
        assert_eq!(value(b"x"), Some(b"3".to_vec()));
        assert_eq!(
            keys::decode_checkpoint(&value(keys::CHECKPOINT).expect("checkpoint")),
            Some((7, "h".to_owned()))
        );
    }
}
