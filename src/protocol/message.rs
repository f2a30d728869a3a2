//! Sync protocol 14 message framing: an ASCII header line of space-separated decimal fields,
//! then a body whose size the header gives (sync-protocol.md §1a). The client's UPLOAD, QUERY,
//! IDENT and BIND are read here; the server's `json_error`, `error` and `query_error` are built.

use std::io::Read as _;

use super::Changeset;
use super::error::{ProtocolError, ProtocolErrorKind as K};
use super::json::changeset_json;
use crate::Limits;
use serde_json::{Value as Json, json};

/// A message a client sends.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Message {
    /// Changesets for the server to integrate.
    Upload(Upload),
    /// A new subscription set.
    Query(Query),
    /// The session's identity and, for Flexible Sync, its subscription set.
    Ident(Ident),
    /// A session opened on a connection.
    Bind(Bind),
}

/// An UPLOAD message.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// The session.
    pub session_ident: u64,
    /// How far the client's scan of its history reached.
    pub progress_client_version: u64,
    /// The server version integrated at that point.
    pub progress_server_version: u64,
    /// The client's download cursor.
    pub locked_server_version: u64,
    /// Whether the body came zlib-compressed.
    pub compressed: bool,
    /// The changesets, in order.
    pub entries: Vec<UploadEntry>,
}

/// One changeset of an UPLOAD.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadEntry {
    /// The client version the changeset produced.
    pub client_version: u64,
    /// The server version the client had integrated when it made the changeset.
    pub last_integrated_server_version: u64,
    /// Milliseconds since 2015-01-01T00:00:00Z.
    pub origin_timestamp: u64,
    /// 0 for a changeset of local origin.
    pub origin_file_ident: u64,
    /// The changeset.
    pub changeset: Changeset,
}

/// A QUERY message: the subscription set, table name → realm-core's serialised query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The session.
    pub session_ident: u64,
    /// The subscription set's version.
    pub query_version: u64,
    /// The body: each table's subscriptions, as one serialised query.
    pub body: serde_json::Map<String, Json>,
}

/// An IDENT message (Flexible Sync form).
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The session.
    pub session_ident: u64,
    /// The client file's identity.
    pub client_file_ident: u64,
    /// Its salt.
    pub client_file_ident_salt: u64,
    /// The download cursor: server version.
    pub download_server_version: u64,
    /// The download cursor: client version.
    pub download_client_version: u64,
    /// The latest server version the client knows.
    pub latest_server_version: u64,
    /// Its salt.
    pub latest_server_version_salt: u64,
    /// The subscription set's version.
    pub query_version: u64,
    /// The subscription set.
    pub body: serde_json::Map<String, Json>,
}

/// A BIND message.
#[derive(Debug, Clone, PartialEq)]
pub struct Bind {
    /// The session.
    pub session_ident: u64,
    /// Whether the client asks for a file identity.
    pub need_client_file_ident: bool,
    /// Whether the client is a subserver.
    pub is_subserver: bool,
    /// The JSON part (`sessionReason`, `schemaVersion`, …).
    pub json: Json,
}

/// The header's fields after the message type.
struct Header<'a> {
    fields: std::str::SplitAsciiWhitespace<'a>,
    body_start: usize,
}

impl Header<'_> {
    fn next(&mut self, name: &str) -> Result<u64, ProtocolError> {
        let field = self
            .fields
            .next()
            .ok_or_else(|| ProtocolError::new(K::Header(format!("missing `{name}`")), 0))?;
        field.parse().map_err(|_| {
            ProtocolError::new(K::Header(format!("`{name}` is not a number: `{field}`")), 0)
        })
    }

    fn end(mut self) -> Result<usize, ProtocolError> {
        match self.fields.next() {
            Some(extra) => Err(ProtocolError::new(K::Header(format!("unexpected `{extra}`")), 0)),
            None => Ok(self.body_start),
        }
    }
}

fn header(bytes: &[u8]) -> Result<(&str, Header<'_>), ProtocolError> {
    let limit = 1024.min(bytes.len());
    let line_end = bytes
        .get(..limit)
        .and_then(|b| b.iter().position(|&c| c == b'\n'))
        .ok_or_else(|| ProtocolError::new(K::Header("no header line".into()), 0))?;
    let line = bytes.get(..line_end).unwrap_or_default();
    let line = std::str::from_utf8(line)
        .map_err(|_| ProtocolError::new(K::Header("the header is not ASCII".into()), 0))?;
    let mut fields = line.split_ascii_whitespace();
    let kind = fields.next().unwrap_or_default();
    Ok((kind, Header { fields, body_start: line_end + 1 }))
}

fn body(bytes: &[u8], start: usize, size: u64) -> Result<&[u8], ProtocolError> {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let end = start.checked_add(size).filter(|&e| e == bytes.len()).ok_or_else(|| {
        ProtocolError::new(
            K::Header(format!(
                "the body is {} bytes, the header says {size}",
                bytes.len().saturating_sub(start)
            )),
            start,
        )
    })?;
    bytes.get(start..end).ok_or_else(|| ProtocolError::new(K::Truncated, start))
}

fn json_object(bytes: &[u8], at: usize) -> Result<serde_json::Map<String, Json>, ProtocolError> {
    match serde_json::from_slice::<Json>(bytes) {
        Ok(Json::Object(m)) => Ok(m),
        Ok(_) => Err(ProtocolError::new(K::Header("the body is not a JSON object".into()), at)),
        Err(e) => Err(ProtocolError::new(K::Header(format!("the body is not JSON: {e}")), at)),
    }
}

impl Message {
    /// Reads one message (a WebSocket binary message's payload).
    pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Message, ProtocolError> {
        if bytes.len() > limits.max_message_bytes {
            let kind = K::TooLarge { what: "message", limit: limits.max_message_bytes };
            return Err(ProtocolError::new(kind, 0));
        }
        let (kind, mut h) = header(bytes)?;
        match kind {
            "upload" => decode_upload(bytes, h, limits).map(Message::Upload),
            "query" => {
                let session_ident = h.next("session_ident")?;
                let query_version = h.next("query_version")?;
                let size = h.next("body_size")?;
                let start = h.end()?;
                let body = json_object(body(bytes, start, size)?, start)?;
                Ok(Message::Query(Query { session_ident, query_version, body }))
            }
            "ident" => {
                let session_ident = h.next("session_ident")?;
                let client_file_ident = h.next("client_file_ident")?;
                let client_file_ident_salt = h.next("client_file_ident_salt")?;
                let download_server_version = h.next("download_server_version")?;
                let download_client_version = h.next("download_client_version")?;
                let latest_server_version = h.next("latest_server_version")?;
                let latest_server_version_salt = h.next("latest_server_version_salt")?;
                let query_version = h.next("query_version")?;
                let size = h.next("body_size")?;
                let start = h.end()?;
                let body = json_object(body(bytes, start, size)?, start)?;
                Ok(Message::Ident(Ident {
                    session_ident,
                    client_file_ident,
                    client_file_ident_salt,
                    download_server_version,
                    download_client_version,
                    latest_server_version,
                    latest_server_version_salt,
                    query_version,
                    body,
                }))
            }
            "bind" => {
                let session_ident = h.next("session_ident")?;
                let json_size = h.next("json_size")?;
                let token_size = h.next("token_size")?;
                let need_client_file_ident = h.next("need_client_file_ident")? != 0;
                let is_subserver = h.next("is_subserver")? != 0;
                let start = h.end()?;
                let total = json_size.saturating_add(token_size);
                let all = body(bytes, start, total)?;
                let json_len = usize::try_from(json_size).unwrap_or(usize::MAX);
                let json_part = all.get(..json_len).unwrap_or_default();
                let json = serde_json::from_slice(json_part).map_err(|e| {
                    ProtocolError::new(K::Header(format!("the bind JSON is not JSON: {e}")), start)
                })?;
                Ok(Message::Bind(Bind {
                    session_ident,
                    need_client_file_ident,
                    is_subserver,
                    json,
                }))
            }
            other => Err(ProtocolError::new(K::UnknownMessage(other.to_owned()), 0)),
        }
    }

    /// The message as JSON, for `flexrules decode`: the header's fields by name, and for an
    /// UPLOAD each changeset's instructions in realm-core's shape.
    pub fn to_json(&self) -> Json {
        match self {
            Message::Upload(u) => json!({
                "message": "upload",
                "session_ident": u.session_ident,
                "is_body_compressed": u.compressed,
                "progress_client_version": u.progress_client_version,
                "progress_server_version": u.progress_server_version,
                "locked_server_version": u.locked_server_version,
                "changesets": u.entries.iter().map(|e| {
                    let parsed = changeset_json(&e.changeset);
                    json!({
                        "client_version": e.client_version,
                        "last_integrated_server_version": e.last_integrated_server_version,
                        "origin_timestamp": e.origin_timestamp,
                        "origin_file_ident": e.origin_file_ident,
                        "interned_strings": parsed.get("interned_strings"),
                        "instructions": parsed.get("instructions"),
                    })
                }).collect::<Vec<_>>(),
            }),
            Message::Query(q) => json!({
                "message": "query",
                "session_ident": q.session_ident,
                "query_version": q.query_version,
                "body": q.body,
            }),
            Message::Ident(i) => json!({
                "message": "ident",
                "session_ident": i.session_ident,
                "client_file_ident": i.client_file_ident,
                "client_file_ident_salt": i.client_file_ident_salt,
                "download_server_version": i.download_server_version,
                "download_client_version": i.download_client_version,
                "latest_server_version": i.latest_server_version,
                "latest_server_version_salt": i.latest_server_version_salt,
                "query_version": i.query_version,
                "body": i.body,
            }),
            Message::Bind(b) => json!({
                "message": "bind",
                "session_ident": b.session_ident,
                "need_client_file_ident": b.need_client_file_ident,
                "is_subserver": b.is_subserver,
                "json": b.json,
            }),
        }
    }
}

fn decode_upload(
    bytes: &[u8],
    mut h: Header<'_>,
    limits: &Limits,
) -> Result<Upload, ProtocolError> {
    let session_ident = h.next("session_ident")?;
    let compressed = h.next("is_body_compressed")? != 0;
    let uncompressed_size = h.next("uncompressed_body_size")?;
    let compressed_size = h.next("compressed_body_size")?;
    let progress_client_version = h.next("progress_client_version")?;
    let progress_server_version = h.next("progress_server_version")?;
    let locked_server_version = h.next("locked_server_version")?;
    let start = h.end()?;
    let limit = limits.max_message_bytes;
    if usize::try_from(uncompressed_size).map_or(true, |n| n > limit) {
        return Err(ProtocolError::new(K::TooLarge { what: "upload body", limit }, 0));
    }
    let inflated;
    let body_bytes = if compressed {
        let raw = body(bytes, start, compressed_size)?;
        inflated = inflate(raw, uncompressed_size as usize, start)?;
        &inflated[..]
    } else {
        body(bytes, start, uncompressed_size)?
    };
    let offset = if compressed { 0 } else { start };
    let entries = decode_entries(body_bytes, limits).map_err(|e| e.shifted(offset))?;
    Ok(Upload {
        session_ident,
        progress_client_version,
        progress_server_version,
        locked_server_version,
        compressed,
        entries,
    })
}

/// Inflates a zlib body that must come to exactly `size` bytes, reading at most one byte more,
/// so that a body built to inflate without end costs no more than its announced size.
fn inflate(raw: &[u8], size: usize, at: usize) -> Result<Vec<u8>, ProtocolError> {
    let mut out = Vec::with_capacity(size.min(1 << 20));
    let mut z = flate2::read::ZlibDecoder::new(raw).take(size as u64 + 1);
    z.read_to_end(&mut out).map_err(|e| ProtocolError::new(K::Decompression(e.to_string()), at))?;
    if out.len() != size {
        let m = format!("inflates to more or less than the announced {size} bytes");
        return Err(ProtocolError::new(K::Decompression(m), at));
    }
    Ok(out)
}

fn decode_entries(body: &[u8], limits: &Limits) -> Result<Vec<UploadEntry>, ProtocolError> {
    let mut entries = Vec::new();
    let mut pos = 0;
    while pos < body.len() {
        if entries.len() >= limits.max_instructions {
            let kind = K::TooLarge { what: "changeset count", limit: limits.max_instructions };
            return Err(ProtocolError::new(kind, pos));
        }
        let mut numbers = [0u64; 5];
        for n in &mut numbers {
            let rest = body.get(pos..).unwrap_or_default();
            let len = rest.iter().position(|&c| c == b' ').filter(|&l| l > 0 && l <= 20);
            let len = len.ok_or_else(|| {
                ProtocolError::new(K::Header("an entry field is not a number".into()), pos)
            })?;
            let text = std::str::from_utf8(rest.get(..len).unwrap_or_default()).unwrap_or("x");
            *n = text.parse().map_err(|_| {
                ProtocolError::new(K::Header(format!("entry field `{text}` is not a number")), pos)
            })?;
            pos += len + 1;
        }
        let [
            client_version,
            last_integrated_server_version,
            origin_timestamp,
            origin_file_ident,
            size,
        ] = numbers;
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let end = pos.checked_add(size).filter(|&e| e <= body.len());
        let end = end.ok_or_else(|| ProtocolError::new(K::Truncated, pos))?;
        let bytes = body.get(pos..end).unwrap_or_default();
        let changeset = Changeset::decode(bytes, limits).map_err(|e| e.shifted(pos))?;
        entries.push(UploadEntry {
            client_version,
            last_integrated_server_version,
            origin_timestamp,
            origin_file_ident,
            changeset,
        });
        pos = end;
    }
    Ok(entries)
}

impl Upload {
    /// The message's bytes, with the body compressed as the client does it: only when it is
    /// larger than 1024 bytes and the compressed form is smaller.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        for e in &self.entries {
            let bytes = e.changeset.encode();
            let head = format!(
                "{} {} {} {} {} ",
                e.client_version,
                e.last_integrated_server_version,
                e.origin_timestamp,
                e.origin_file_ident,
                bytes.len()
            );
            body.extend_from_slice(head.as_bytes());
            body.extend_from_slice(&bytes);
        }
        let compressed =
            (body.len() > 1024).then(|| deflate(&body)).flatten().filter(|c| c.len() < body.len());
        let (flag, compressed_size, payload) = match &compressed {
            Some(c) => (1, c.len(), c.as_slice()),
            None => (0, 0, body.as_slice()),
        };
        let mut out = format!(
            "upload {} {flag} {} {compressed_size} {} {} {}\n",
            self.session_ident,
            body.len(),
            self.progress_client_version,
            self.progress_server_version,
            self.locked_server_version
        )
        .into_bytes();
        out.extend_from_slice(payload);
        out
    }
}

fn deflate(body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(1));
    z.write_all(body).ok()?;
    z.finish().ok()
}

/// A message the server sends.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerMessage {
    /// `json_error <code> <size> <session>\n<json>`: the current error form (231 among others).
    JsonError {
        /// The protocol error code.
        code: u16,
        /// The session.
        session_ident: u64,
        /// The JSON body.
        body: String,
    },
    /// `error <code> <size> <try_again> <session>\n<message>`: the legacy form.
    Error {
        /// The protocol error code.
        code: u16,
        /// Whether the client should try again.
        try_again: bool,
        /// The session.
        session_ident: u64,
        /// The message.
        message: String,
    },
    /// `query_error <code> <size> <session> <query_version>\n<message>`: a refused subscription set.
    QueryError {
        /// The protocol error code (226 for a bad query).
        code: u16,
        /// The session.
        session_ident: u64,
        /// The refused subscription set's version.
        query_version: u64,
        /// The message.
        message: String,
    },
}

impl ServerMessage {
    /// The message's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let (head, body) = match self {
            ServerMessage::JsonError { code, session_ident, body } => {
                (format!("json_error {code} {} {session_ident}\n", body.len()), body)
            }
            ServerMessage::Error { code, try_again, session_ident, message } => (
                format!(
                    "error {code} {} {} {session_ident}\n",
                    message.len(),
                    u8::from(*try_again)
                ),
                message,
            ),
            ServerMessage::QueryError { code, session_ident, query_version, message } => (
                format!("query_error {code} {} {session_ident} {query_version}\n", message.len()),
                message,
            ),
        };
        let mut out = head.into_bytes();
        out.extend_from_slice(body.as_bytes());
        out
    }
}
