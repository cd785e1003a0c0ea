//! Ids that make a re-import idempotent.
//!
//! A spreadsheet row's command id is derived from its content (column names
//! and cells, not its position), so importing the same file again, or a
//! corrected copy in which only the rejected rows changed, records nothing new
//! for the rows already imported. A new person's (or statement's) id is
//! derived from the command id that creates it, so the retry lands in the same
//! stream, where the store and `decide` recognise the command.

use habeas_domain::command::Action;
use habeas_domain::id::{CommandId, PersonId, StatementId};
use sha2::{Digest, Sha256};
use uuid::{Builder, Uuid};

/// Changing this changes every derived id: previously imported rows would be
/// imported again as new people.
const NAMESPACE: &[u8] = b"habeas-import/1";

fn derive(parts: &[&[u8]]) -> Uuid {
    let mut hasher = Sha256::new();
    hasher.update(NAMESPACE);
    for part in parts {
        // Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // A version 8 (custom) UUID: it cannot collide with the v7 ids made elsewhere.
    Builder::from_custom_bytes(bytes).into_uuid()
}

/// The command id of a spreadsheet row: the same cells under the same column
/// names give the same id, wherever the row stands in the file.
pub fn row_command_id(header: &[&str], cells: &[&str]) -> CommandId {
    let mut parts: Vec<&[u8]> = vec![b"csv-row"];
    for (idx, cell) in cells.iter().enumerate() {
        parts.push(header.get(idx).copied().unwrap_or("").as_bytes());
        parts.push(cell.as_bytes());
    }
    CommandId::from_uuid(derive(&parts))
}

/// The command id of what a row imported before adds to its person (a
/// richer mapping read more of it): the row's id and the kinds of events
/// added, so that the same addition made again records nothing new.
pub fn addition_command_id(row: CommandId, added: &[Action]) -> CommandId {
    let mut parts: Vec<&[u8]> = vec![b"csv-row-addition", row.as_uuid().as_bytes()];
    let kinds: Vec<&'static str> = added
        .iter()
        .map(|action| action.clone().into_event().event_type())
        .collect();
    parts.extend(kinds.iter().map(|kind| kind.as_bytes()));
    CommandId::from_uuid(derive(&parts))
}

/// The id of the person a command registers.
pub fn person_id_for(command: CommandId) -> PersonId {
    PersonId::from_uuid(derive(&[b"person", command.as_uuid().as_bytes()]))
}

/// The id of the statement a command records.
pub fn statement_id_for(command: CommandId) -> StatementId {
    StatementId::from_uuid(derive(&[b"statement", command.as_uuid().as_bytes()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_content_same_id_and_nothing_else() {
        let header = ["name", "det.date"];
        let a = row_command_id(&header, &["Test Person A", "2014.12.17"]);
        assert_eq!(a, row_command_id(&header, &["Test Person A", "2014.12.17"]));
        assert_ne!(a, row_command_id(&header, &["Test Person A", "2014.12.18"]));
        assert_ne!(
            a,
            row_command_id(&["name", "rel.date"], &["Test Person A", "2014.12.17"])
        );
        assert_ne!(a, row_command_id(&header, &["Test Person A2", "014.12.17"]));
        assert_eq!(a.as_uuid().get_version_num(), 8);
        let person = person_id_for(a);
        assert_eq!(person, person_id_for(a));
        assert_ne!(person.as_uuid(), statement_id_for(a).as_uuid());
    }
}
