//! realm's sync protocol 14, as a Flexible Sync server reads it: the messages a client sends
//! (UPLOAD, QUERY, IDENT, BIND), the binary changesets an UPLOAD carries, and the error messages
//! a server answers with.
//!
//! Everything here reads untrusted bytes: each length and count is checked against [`Limits`]
//! (`max_message_bytes` also bounds a zlib body once inflated, so a small body announcing a huge
//! one is refused without being inflated), every read is bounds-checked, and every failure is a
//! [`ProtocolError`] with the byte offset it happened at. Decoding keeps enough of the input's
//! layout (where each string was interned) that encoding gives back the same bytes.
//!
//! ```
//! use flexrules::Limits;
//! use flexrules::protocol::Message;
//!
//! let bytes = b"query 1 1 42\n{\"Car\":\"((miles < 100 or miles == NULL))\"}";
//! let Message::Query(q) = Message::decode(bytes, &Limits::default())? else { unreachable!() };
//! assert_eq!(q.query_version, 1);
//! assert_eq!(q.body["Car"], "((miles < 100 or miles == NULL))");
//! # Ok::<(), flexrules::protocol::ProtocolError>(())
//! ```
//!
//! [`Limits`]: crate::Limits

mod changeset;
mod codec;
mod error;
mod json;
mod message;

pub use changeset::{
    Changeset, CollectionType, Instruction, PathElement, PathInstr, Payload, PrimaryKey,
    PrimaryKeySpec, StrId, TableType, UpdateTail,
};
pub use error::{ProtocolError, ProtocolErrorKind};
pub use json::changeset_json;
pub use message::{Bind, Ident, Message, Query, ServerMessage, Upload, UploadEntry};
