//! realm-core's value semantics: the scalar types, their comparison and arithmetic rules.

pub mod decimal;
pub mod string;
pub mod timestamp;

pub use decimal::Decimal128;
pub use timestamp::{Timestamp, TimestampError};
