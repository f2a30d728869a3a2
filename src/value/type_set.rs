//! The value of `.@type`: a set of realm type names.

/// A set of realm type names, the value of `.@type` (one bit per type, `numeric` = several).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeSet(pub(crate) u16);

impl TypeSet {
    pub(crate) const NULL: u16 = 1;
    pub(crate) const INT: u16 = 1 << 1;
    pub(crate) const BOOL: u16 = 1 << 2;
    pub(crate) const STRING: u16 = 1 << 3;
    pub(crate) const BINARY: u16 = 1 << 4;
    pub(crate) const TIMESTAMP: u16 = 1 << 5;
    pub(crate) const FLOAT: u16 = 1 << 6;
    pub(crate) const DOUBLE: u16 = 1 << 7;
    pub(crate) const DECIMAL: u16 = 1 << 8;
    pub(crate) const LINK: u16 = 1 << 9;
    pub(crate) const OBJECT_ID: u16 = 1 << 10;
    pub(crate) const UUID: u16 = 1 << 11;
    pub(crate) const DICTIONARY: u16 = 1 << 12;
    pub(crate) const LIST: u16 = 1 << 13;

    /// Reads one type name as realm-core's `@type` strings spell them (ASCII case-insensitive).
    pub fn parse(name: &[u8]) -> Option<TypeSet> {
        let lower: Vec<u8> = name.to_ascii_lowercase();
        let bits = match lower.as_slice() {
            b"null" => Self::NULL,
            b"int" | b"integer" | b"int16" | b"int32" | b"int64" | b"short" | b"long" | b"byte"
            | b"char" => Self::INT,
            b"bool" | b"boolean" => Self::BOOL,
            b"string" => Self::STRING,
            b"binary" | b"data" | b"bytearray" | b"byte[]" | b"bindata" => Self::BINARY,
            b"date" | b"datetimeoffset" | b"timestamp" => Self::TIMESTAMP,
            b"float" => Self::FLOAT,
            b"double" => Self::DOUBLE,
            b"decimal128" | b"decimal" => Self::DECIMAL,
            b"objectlink" | b"link" => Self::LINK,
            b"objectid" => Self::OBJECT_ID,
            b"uuid" | b"guid" => Self::UUID,
            b"numeric" => Self::INT | Self::DOUBLE | Self::FLOAT | Self::DECIMAL,
            b"object" | b"dictionary" => Self::DICTIONARY,
            b"array" | b"list" => Self::LIST,
            b"collection" => Self::DICTIONARY | Self::LIST,
            _ => return None,
        };
        Some(TypeSet(bits))
    }

    /// The names accepted by [`TypeSet::parse`], in realm-core's order (used in its error text).
    pub(crate) const NAMES: &'static str = "null, int, integer, int16, int32, int64, short, long, byte, char, bool, boolean, string, binary, data, bytearray, byte[], date, datetimeoffset, timestamp, float, double, decimal128, decimal, objectlink, link, objectid, uuid, guid, numeric, bindata, object, dictionary, array, list, collection";
}
