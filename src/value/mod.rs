//! realm-core's value semantics: the scalar types, their comparison and arithmetic rules.

pub mod decimal;

pub use decimal::Decimal128;
