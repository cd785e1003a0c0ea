//! The changes one application of the log makes to a generation tree, the
//! two ways of writing them, and reading the tree as if they were written.
//!
//! A tree in service gets them in one `sled::Batch` with the checkpoint, so a
//! crash leaves the read model of some checkpoint (see the crate docs). A
//! generation being built is read by no one until the switch, and an
//! interrupted build is dropped whole on the next open; it gets them one
//! key at a time in key order, the checkpoint last. That matters for speed: a
//! build applies large chunks of the log at once, and sled inserts a big
//! batch into its nodes far more slowly than the same keys one by one
//! (BENCHMARKS.md, "Rebuild").
//!
//! A build also writes a chunk on a thread of its own while the next chunk
//! is derived; the deriving side reads through [`Reads`], which sees the
//! chunk still being written before the tree.

use std::ops::Deref;

use crate::error::ProjectionError;
use crate::keys;

/// How a tree receives the changes of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteMode {
    /// One atomic batch with the checkpoint: for the tree in service.
    Atomic,
    /// Key by key, checkpoint last: for a generation being built, which no
    /// one reads until it is complete.
    Direct,
}

/// Changes in the order they were made; a later change of a key wins.
#[derive(Debug, Default)]
pub(crate) struct Writes {
    changes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

impl Writes {
    /// Room for `changes` changes.
    pub(crate) fn with_capacity(changes: usize) -> Writes {
        Writes {
            changes: Vec::with_capacity(changes),
        }
    }

    pub(crate) fn insert(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.changes.push((key.into(), Some(value.into())));
    }

    pub(crate) fn remove(&mut self, key: impl Into<Vec<u8>>) {
        self.changes.push((key.into(), None));
    }

    /// The changes ready to write: each key's last change, in key order,
    /// then the checkpoint `(position, hash)`.
    pub(crate) fn finish(self, position: u64, hash: String) -> Commit {
        let mut changes = self.changes;
        // Stable: the changes of one key keep their order, and the last wins.
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        // `dedup_by` hands each change with the one kept before it; the
        // later change moves into the kept place, the earlier one goes.
        changes.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        Commit {
            changes,
            position,
            hash,
        }
    }
}

/// The changes of one application, each key once in key order, and the
/// checkpoint they bring the tree to.
#[derive(Debug)]
pub(crate) struct Commit {
    changes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    pub(crate) position: u64,
    pub(crate) hash: String,
}

impl Commit {
    /// What the commit does to `key`: `Some(Some(value))` written,
    /// `Some(None)` removed, `None` untouched.
    fn change(&self, key: &[u8]) -> Option<Option<&[u8]>> {
        let idx = self
            .changes
            .binary_search_by(|(stored, _)| stored.as_slice().cmp(key))
            .ok()?;
        Some(self.changes[idx].1.as_deref())
    }

    /// Writes the changes and then the checkpoint to `tree`, as `mode` says.
    pub(crate) fn write(&self, tree: &sled::Tree, mode: WriteMode) -> Result<(), ProjectionError> {
        let checkpoint = keys::checkpoint_value(self.position, &self.hash);
        match mode {
            WriteMode::Atomic => {
                let mut batch = sled::Batch::default();
                for (key, value) in &self.changes {
                    match value {
                        Some(value) => batch.insert(key.as_slice(), value.as_slice()),
                        None => batch.remove(key.as_slice()),
                    }
                }
                batch.insert(keys::CHECKPOINT, checkpoint);
                tree.apply_batch(batch)?;
            }
            WriteMode::Direct => {
                // Key order keeps sled inserting into one node after another.
                for (key, value) in &self.changes {
                    match value {
                        Some(value) => tree.insert(key.as_slice(), value.as_slice())?,
                        None => tree.remove(key.as_slice())?,
                    };
                }
                tree.insert(keys::CHECKPOINT, checkpoint)?;
            }
        }
        Ok(())
    }
}

/// A tree as it reads once `pending` (a commit being written meanwhile, if
/// any) is written: every earlier commit must be written in full.
#[derive(Clone, Copy)]
pub(crate) struct Reads<'a> {
    pub(crate) tree: &'a sled::Tree,
    pub(crate) pending: Option<&'a Commit>,
}

/// A value read through [`Reads`].
pub(crate) enum Read<'a> {
    Tree(sled::IVec),
    Pending(&'a [u8]),
}

impl Deref for Read<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Read::Tree(value) => value,
            Read::Pending(value) => value,
        }
    }
}

impl<'a> Reads<'a> {
    /// The tree alone, nothing pending.
    pub(crate) fn of(tree: &'a sled::Tree) -> Reads<'a> {
        Reads {
            tree,
            pending: None,
        }
    }

    pub(crate) fn get(&self, key: &[u8]) -> Result<Option<Read<'a>>, ProjectionError> {
        if let Some(change) = self.pending.and_then(|pending| pending.change(key)) {
            return Ok(change.map(Read::Pending));
        }
        Ok(self.tree.get(key)?.map(Read::Tree))
    }

    pub(crate) fn contains_key(&self, key: &[u8]) -> Result<bool, ProjectionError> {
        Ok(self.get(key)?.is_some())
    }

    /// The checkpoint: position and hash (0 and "" when new).
    pub(crate) fn checkpoint(&self) -> Result<(u64, String), ProjectionError> {
        if let Some(pending) = self.pending {
            return Ok((pending.position, pending.hash.clone()));
        }
        match self.tree.get(keys::CHECKPOINT)? {
            None => Ok((0, String::new())),
            Some(value) => {
                keys::decode_checkpoint(&value).ok_or_else(|| ProjectionError::Corrupt {
                    key: "checkpoint".into(),
                    reason: "not a position and a hash".into(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes() -> Writes {
        let mut writes = Writes::default();
        writes.insert("b", "1");
        writes.insert("a", "1");
        writes.remove("b");
        writes.insert("a", "2");
        writes.remove("gone");
        writes.insert("x", "1");
        writes.remove("x");
        writes.insert("x", "3");
        writes
    }

    fn tree() -> sled::Tree {
        let db = sled::Config::new().temporary(true).open().expect("sled");
        let tree = db.open_tree("t").expect("tree");
        tree.insert("gone", "x").expect("insert");
        tree.insert("kept", "k").expect("insert");
        tree
    }

    fn contents(tree: &sled::Tree) -> Vec<(Vec<u8>, Vec<u8>)> {
        tree.iter()
            .map(|entry| entry.expect("read"))
            .map(|(key, value)| (key.to_vec(), value.to_vec()))
            .collect()
    }

    #[test]
    fn both_modes_leave_the_same_tree_with_the_last_change_of_each_key() {
        let (atomic, direct) = (tree(), tree());
        changes()
            .finish(7, "h".into())
            .write(&atomic, WriteMode::Atomic)
            .expect("atomic");
        changes()
            .finish(7, "h".into())
            .write(&direct, WriteMode::Direct)
            .expect("direct");
        let written = contents(&atomic);
        assert_eq!(written, contents(&direct));
        let value = |key: &[u8]| {
            written
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(value(b"a"), Some(b"2".to_vec()));
        assert_eq!(value(b"x"), Some(b"3".to_vec()));
        assert_eq!(value(b"b"), None);
        assert_eq!(value(b"gone"), None);
        assert_eq!(value(b"kept"), Some(b"k".to_vec()));
        assert_eq!(
            keys::decode_checkpoint(&value(keys::CHECKPOINT).expect("checkpoint")),
            Some((7, "h".to_owned()))
        );
    }

    #[test]
    fn reads_see_a_pending_commit_as_written() {
        let before = tree();
        let pending = changes().finish(7, "h".into());
        let reads = Reads {
            tree: &before,
            pending: Some(&pending),
        };
        let read = |reads: &Reads<'_>, key: &[u8]| {
            reads.get(key).expect("read").map(|value| value.to_vec())
        };
        assert_eq!(read(&reads, b"a"), Some(b"2".to_vec()));
        assert_eq!(read(&reads, b"x"), Some(b"3".to_vec()));
        assert_eq!(read(&reads, b"gone"), None, "removed by the pending commit");
        assert_eq!(read(&reads, b"kept"), Some(b"k".to_vec()), "from the tree");
        assert_eq!(read(&reads, b"never"), None);
        assert_eq!(reads.checkpoint().expect("checkpoint"), (7, "h".to_owned()));
        let keys = [&b"a"[..], b"x", b"gone", b"kept", b"never", b"b"];
        let seen: Vec<Option<Vec<u8>>> = keys.iter().map(|key| read(&reads, key)).collect();

        pending.write(&before, WriteMode::Direct).expect("write");
        let written = Reads::of(&before);
        for (key, seen) in keys.iter().zip(seen) {
            assert_eq!(
                read(&written, key),
                seen,
                "{}",
                String::from_utf8_lossy(key)
            );
        }
        assert_eq!(
            written.checkpoint().expect("checkpoint"),
            (7, "h".to_owned())
        );
    }
}
