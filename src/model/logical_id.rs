//! Logical ids for templates: alphanumeric (CloudFormation's `^[a-zA-Z0-9]+$`), stable across
//! runs and independent of every other resource, so adding a room never renames another.

/// `prefix` + the key in PascalCase + 8 hex digits of a hash of the exact key. The readable part
/// alone is not unique (`chat-lobby`, `chat_lobby` and `Chat-Lobby` all read `ChatLobby`); the
/// hash of the original key tells them apart without depending on which other keys exist.
pub fn logical_id(prefix: &str, key: &str) -> String {
    // Written out rather than `format!`ed: one per resource, 50,000 rooms (issue 17).
    let mut id = String::with_capacity(prefix.len() + key.len() + 8);
    id.push_str(prefix);
    // By bytes: every byte of a multi-byte character is outside ASCII, so it separates words
    // as the character would; a character at a time was 4% of a 5,000-room `validate`.
    let mut upper_next = true;
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() {
            id.push(char::from(if upper_next {
                b.to_ascii_uppercase()
            } else {
                b
            }));
            upper_next = false;
        } else {
            upper_next = true;
        }
    }
    let hash = fnv1a32(key.as_bytes());
    for shift in (0..8).rev() {
        // A nibble, below 16 by its mask.
        let nibble = ((hash >> (shift * 4)) & 0xF) as u8;
        id.push(char::from(if nibble < 10 {
            b'0' + nibble
        } else {
            b'A' + nibble - 10
        }));
    }
    id
}

/// FNV-1a, 32 bits: tiny, fixed forever, and the same on every machine.
fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, b| {
        (hash ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_alphanumeric_and_tell_separators_apart() {
        let a = logical_id("Room", "chat-lobby");
        let b = logical_id("Room", "chat_lobby");
        let c = logical_id("Room", "Chat-Lobby");
        assert!(a.starts_with("RoomChatLobby"));
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_ne!(b, c);
    }

    /// The byte-wise id is the one a character at a time gives, on keys with multi-byte
    /// characters between, before and after words.
    #[test]
    fn ids_read_characters_as_separators() {
        for (key, readable) in [
            ("lobby", "Lobby"),
            ("chat-lobby_2", "ChatLobby2"),
            ("chätlobby", "ChTlobby"),
            ("ünd-ß", "Nd"),
            ("日本-room", "Room"),
            ("Room9", "Room9"),
        ] {
            let id = logical_id("Room", key);
            assert_eq!(
                id,
                format!("Room{readable}{:08X}", fnv1a32(key.as_bytes())),
                "{key}"
            );
        }
    }

    #[test]
    fn ids_are_stable() {
        // Pinned: changing the scheme would make CloudFormation replace every resource.
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(
            logical_id("Room", "lobby"),
            format!("RoomLobby{:08X}", fnv1a32(b"lobby"))
        );
    }
}
