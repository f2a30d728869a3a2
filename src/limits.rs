//! Resource limits applied to untrusted input at every stage.
//!
//! Queries come from sync clients and rules from app exports; neither can be trusted to be small
//! or shallow. Every stage that recurses or allocates in proportion to its input checks one of
//! these limits first and returns a typed error when it is exceeded, so hostile input can never
//! overflow the stack or exhaust memory. One `Limits` value is shared by the whole pipeline.

/// Limits on the size and shape of queries, rules and documents.
///
/// The defaults are generous for real subscriptions and role definitions, and small enough that
/// the worst accepted input is still handled in bounded time and stack space.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest query text accepted, in bytes. Default 1 MiB. (Flexible Sync separately refuses
    /// subscriptions longer than 256 kB, with the server's own error.)
    pub max_query_bytes: usize,
    /// Deepest nesting of parentheses, `NOT`s, braces and subqueries in a query, and of arithmetic
    /// and logical operators in compiled predicates. Default 128.
    pub max_depth: u32,
    /// Largest number of comparisons and logical operands in one query or rule set. Default 100,000.
    pub max_terms: usize,
    /// Largest number of elements in one list literal or list argument. Default 100,000.
    pub max_list_len: usize,
    /// Highest argument index (`$n`) a query may reference, and most arguments a caller may pass.
    /// Default 1,024.
    pub max_arguments: u32,
    /// Deepest nesting of objects and arrays in a JSON rule expression. Default 64.
    pub max_rule_depth: u32,
    /// Deepest nesting of embedded documents and arrays read from a BSON document. Default 100,
    /// MongoDB's own limit.
    pub max_document_depth: u32,
    /// Largest sync protocol message, and largest body once decompressed, in bytes. Default
    /// 16 MiB, the sync client's own hard limit for one UPLOAD; a zlib body that would inflate
    /// past it is refused before it is inflated further.
    pub max_message_bytes: usize,
    /// Most instructions (interned strings included) in one changeset, and most changesets in one
    /// UPLOAD. Default 1,000,000.
    pub max_instructions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_query_bytes: 1 << 20,
            max_depth: 128,
            max_terms: 100_000,
            max_list_len: 100_000,
            max_arguments: 1024,
            max_rule_depth: 64,
            max_document_depth: 100,
            max_message_bytes: 16 << 20,
            max_instructions: 1_000_000,
        }
    }
}
