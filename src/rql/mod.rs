//! Realm Query Language: the syntax tree (and, as it lands, the parser and printer).

pub mod ast;
