//! Errors compiling a query against a schema and its arguments.

use thiserror::Error;

use crate::span::Span;

/// A query that parsed but cannot be bound to the schema or its arguments, with the part of the
/// query text at fault.
///
/// [`CompileError::realm_message`] gives realm-core's own message for the same query (what a
/// sync client would see); `Display` gives a lowercase message for people.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{kind}")]
pub struct CompileError {
    kind: CompileErrorKind,
    span: Span,
    suggestion: Option<String>,
}

impl CompileError {
    pub(crate) fn new(kind: CompileErrorKind, span: Span) -> Self {
        CompileError { kind, span, suggestion: None }
    }

    /// The same error with the name the user probably meant.
    pub(crate) fn with_suggestion(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }

    /// For an unknown property, the existing property whose name is nearest to it (`name` for
    /// `nme`), if one is near enough to be a likely typo. It is kept apart from the message,
    /// which stays realm-core's word for word.
    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }

    /// The error as shown to a person: `line:col: ` and realm-core's message, `; did you mean
    /// '…'?` when there is a [`suggestion`](CompileError::suggestion), then the line of `query`
    /// with carets under the part at fault.
    pub fn render(&self, query: &str) -> String {
        let hint = self.suggestion.as_ref().map(|s| format!("; did you mean '{s}'?"));
        format!(
            "{}: {}{}\n{}",
            self.span.line_col(query),
            self.realm_message(),
            hint.unwrap_or_default(),
            self.span.caret(query)
        )
    }

    /// What is wrong.
    pub fn kind(&self) -> &CompileErrorKind {
        &self.kind
    }

    /// The part of the query text at fault.
    pub fn span(&self) -> Span {
        self.span
    }

    /// realm-core's message for this error, word for word.
    pub fn realm_message(&self) -> String {
        self.kind.realm_message()
    }
}

/// The ways a parsed query can fail to bind. Each variant carries what realm-core's message
/// names; the example after each is a query that triggers it.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum CompileErrorKind {
    /// `0 == 0`
    #[error("cannot compare two constants")]
    TwoConstants,
    /// `int.@type == 'int'`
    #[error("cannot compare two constant types `{left}` and `{right}`")]
    TwoConstantTypes {
        /// Left side as realm-core prints it.
        left: String,
        /// Right side.
        right: String,
    },
    /// `age == 'abc'`
    #[error("cannot compare a value of type `{left}` with a value of type `{right}`")]
    UnsupportedComparison {
        /// Left type name.
        left: &'static str,
        /// Right type name.
        right: &'static str,
    },
    /// `age + name > 3`
    #[error("cannot apply `{op}` to `{left}` and `{right}`")]
    Arithmetic {
        /// The operator.
        op: char,
        /// The left operand as written.
        left: String,
        /// The right operand as written.
        right: String,
    },
    /// `embedded > 5`
    #[error("operator `{op}` is not supported for this type; only `==` and `!=` are")]
    OnlyEquality {
        /// The operator.
        op: &'static str,
    },
    /// `age BEGINSWITH 5`
    #[error("operator `{op}` needs a string or binary right side, not `{ty}`")]
    StringOperator {
        /// The operator as realm-core prints it.
        op: String,
        /// The right side's type.
        ty: &'static str,
    },
    /// `embedded == 5`
    #[error("`{path}` can only be compared with null, not `{ty}`")]
    LinkComparison {
        /// The link's path.
        path: String,
        /// The constant's type.
        ty: &'static str,
    },
    /// `items == NULL`
    #[error("the list of objects `{path}` cannot be compared with null")]
    LinkListNull {
        /// The list's path.
        path: String,
    },
    /// `tags == scores`
    #[error("two lists `{left}` and `{right}` cannot be compared")]
    TwoLists {
        /// Left path.
        left: String,
        /// Right path.
        right: String,
    },
    /// `age == infinity`
    #[error("infinity cannot be used with type `{ty}`")]
    Infinity {
        /// The type it was to be converted to.
        ty: &'static str,
    },
    /// `age == nanf`
    #[error("NaN cannot be used with type `{ty}`")]
    NaN {
        /// The type it was to be converted to.
        ty: &'static str,
    },
    /// `ANY $0 == age` with a scalar `$0`
    #[error("a quantifier needs a list argument, but `$${index}` is not a list")]
    QuantifiedScalarArgument {
        /// The argument index.
        index: u32,
    },
    /// `ANY name == 'a'`
    #[error("`{quantifier}` needs a key path that contains a list")]
    QuantifierNeedsList {
        /// `ANY`, `ALL` or `NONE`.
        quantifier: &'static str,
    },
    /// `age IN 5`
    #[error("the right side of `IN` must be a list, found `{found}`")]
    InNeedsList {
        /// The right side as written.
        found: String,
    },
    /// `age BETWEEN {1}`
    #[error("`BETWEEN` needs a list of two elements")]
    BetweenArity,
    /// `scores BETWEEN {1, 2}`
    #[error("`BETWEEN` on a list needs `ALL`")]
    BetweenNeedsAll,
    /// `missing == 1`
    #[error("`{class}` has no property `{property}`")]
    NoProperty {
        /// The object type.
        class: String,
        /// The unknown name.
        property: String,
    },
    /// `age.x == 1`
    #[error("property `{class}.{property}` has no property `{name}`")]
    NoNestedProperty {
        /// The object type.
        class: String,
        /// The terminal property.
        property: String,
        /// The name after it.
        name: String,
    },
    /// `tags[x]` on a set
    #[error("property `{class}.{property}` does not support index `{index}`")]
    BadIndex {
        /// The object type.
        class: String,
        /// The property.
        property: String,
        /// The index as realm-core prints it.
        index: String,
    },
    /// `embedded[0].x`
    #[error("index `[{index}]` not expected after a link")]
    IndexAfterLink {
        /// The index as written.
        index: String,
    },
    /// `tags[0][1]`
    #[error("only `mixed` properties can have nested collections")]
    NestedCollections,
    /// `tags.@values`
    #[error("`@values` is only allowed on dictionaries")]
    ValuesNotDictionary,
    /// `$K0.name`
    #[error("a key-path argument cannot be combined with other path elements")]
    KeyPathArgumentMixed,
    /// `$K0` with a number
    #[error("key-path argument `$K{index}` must be a string, found `{ty}`")]
    KeyPathArgumentType {
        /// The argument index.
        index: u32,
        /// What was found.
        ty: &'static str,
    },
    /// `$K0` with null or a list
    #[error("key-path argument `$K{index}` cannot be null or a list")]
    KeyPathArgumentNull {
        /// The argument index.
        index: u32,
    },
    /// `dict[$0]` with a number
    #[error("an index argument must be a string")]
    IndexArgumentType,
    /// `age.@size == 1`
    #[error("`{op}` is not supported on a property of type `{ty}`")]
    PostOpType {
        /// The operator as written.
        op: String,
        /// The property type.
        ty: &'static str,
    },
    /// `name.@min.x > 1`
    #[error("`{op}` cannot apply to `{property}` because it is not a list")]
    AggregateNotList {
        /// `.@min` etc.
        op: &'static str,
        /// The property.
        property: String,
    },
    /// `items.@min.name > 1`
    #[error("aggregates over objects are not supported for type `{ty}`")]
    AggregatePropertyType {
        /// The property type.
        ty: &'static str,
    },
    /// `names.@sum > 1`
    #[error("aggregate `{op}` cannot be used on this property")]
    AggregateType {
        /// `.@min` etc.
        op: &'static str,
    },
    /// `SUBQUERY(tags, $x, …)`
    #[error("a subquery cannot operate on the list of values `{property}`")]
    SubqueryPrimitive {
        /// The property.
        property: String,
    },
    /// `SUBQUERY(age, $x, …)`
    #[error("a subquery needs a list of objects, but `{property}` is of type `{ty}`")]
    SubqueryNotList {
        /// The property.
        property: String,
        /// Its type.
        ty: &'static str,
    },
    /// nested `SUBQUERY` reusing `$x`
    #[error("subquery variable `{variable}` is already in use")]
    SubqueryVariable {
        /// The variable.
        variable: String,
    },
    /// `$1` with one argument
    #[error("argument `${index}` is missing: {count} given")]
    ArgumentIndex {
        /// The requested index.
        index: u32,
        /// How many were given.
        count: usize,
    },
    /// `age == $0` with `"x"`
    #[error("cannot compare {explain} with type `{ty}`")]
    ArgumentType {
        /// realm-core's description of the argument.
        explain: String,
        /// The type it was compared with.
        ty: &'static str,
    },
    /// `$0` holding a value a query cannot use, e.g. a document
    #[error("argument `${index}` holds a value that cannot be used in a query")]
    ArgumentValue {
        /// The argument index.
        index: u32,
    },
    /// `mixed.@type == 23`
    #[error("`@type` cannot be compared with `{ty}`")]
    TypeComparison {
        /// The other side's type.
        ty: &'static str,
    },
    /// `mixed.@type == 'money'`
    #[error("unknown type name `{name}`")]
    TypeName {
        /// The string.
        name: String,
    },
    /// `B64"@@"`
    #[error("invalid base64 value")]
    Base64,
    /// `T1:-1` (refused by the parser already; kept for trees built by hand)
    #[error("invalid timestamp")]
    InvalidTimestamp,
    /// `1850-01-01@00:00:00`
    #[error("dates before 1900 are not supported")]
    DateBefore1900,
    /// `SORT(missing ASC)`
    #[error("`{class}` has no property `{property}` for `{clause}`")]
    SortProperty {
        /// The object type.
        class: String,
        /// The name.
        property: String,
        /// `sort` or `distinct`.
        clause: &'static str,
    },
    /// `{1, 2} * {3} == 1`
    #[error("arithmetic on two lists is not supported")]
    TwoListArithmetic,
    /// `name TEXT 'a'`
    #[error("property has no full-text index")]
    NoFullTextIndex,
    /// `@links.Person.items`, `obj('Item', 1)`, `O5`
    #[error("{what} needs more than one table and is not supported")]
    MultiTable {
        /// What was used.
        what: &'static str,
    },
    /// `location GEOWITHIN geoCircle(…)`
    #[error("geospatial queries are not supported")]
    Geospatial,
    /// deeper than `Limits::max_depth`
    #[error("query nests deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: u32,
    },
    /// more terms than `Limits::max_terms`
    #[error("query has more than {limit} terms")]
    TooManyTerms {
        /// The limit.
        limit: usize,
    },
}

fn plural(n: usize) -> String {
    match n {
        0 => "no arguments are provided".to_owned(),
        1 => "only 1 argument is provided".to_owned(),
        n => format!("only {n} arguments are provided"),
    }
}

impl CompileErrorKind {
    /// realm-core's message text.
    pub fn realm_message(&self) -> String {
        use CompileErrorKind as K;
        match self {
            K::TwoConstants => "Cannot compare two constants".to_owned(),
            K::TwoConstantTypes { left, right } => {
                format!(
                    "Comparison between two constants is not supported ('{left}' and '{right}')"
                )
            }
            K::UnsupportedComparison { left, right } => {
                format!("Unsupported comparison between type '{left}' and type '{right}'")
            }
            K::Arithmetic { op, left, right } => {
                format!("Cannot perform '{op}' operation on '{left}' and '{right}'")
            }
            K::OnlyEquality { op } => format!(
                "Unsupported operator {op} in query. Only equal (==) and not equal (!=) are supported for this type."
            ),
            K::StringOperator { op, ty } => format!(
                "Unsupported comparison operator '{op}' against type '{ty}', right side must be a string or binary type"
            ),
            K::LinkComparison { path, ty } => {
                format!("Unsupported comparison between '{path}' and type '{ty}'")
            }
            K::LinkListNull { path } => format!("Cannot compare linklist ('{path}') with NULL"),
            K::TwoLists { left, right } => format!(
                "Ordered comparison between two primitive lists is not implemented yet ('{left}' and '{right}')"
            ),
            K::Infinity { ty } => format!("Infinity not supported for {ty}"),
            K::NaN { ty } => format!("NaN not supported for {ty}"),
            K::QuantifiedScalarArgument { index } => format!(
                "ANY/ALL/NONE are only allowed on arguments which contain a list but '${index}' is not a list."
            ),
            K::QuantifierNeedsList { quantifier } => {
                format!("The keypath following '{quantifier}' must contain a list")
            }
            K::InNeedsList { found } => {
                format!("The keypath following 'IN' must contain a list. Found '{found}'")
            }
            K::BetweenArity => "Operator 'BETWEEN' requires list with 2 elements.".to_owned(),
            K::BetweenNeedsAll => {
                "Only 'ALL' supported for operator 'BETWEEN' when applied to lists.".to_owned()
            }
            K::NoProperty { class, property } => format!("'{class}' has no property '{property}'"),
            K::NoNestedProperty { class, property, name } => {
                format!("Property '{class}.{property}' has no property '{name}'")
            }
            K::BadIndex { class, property, index } => {
                format!("Property '{class}.{property}' does not support index '{index}'")
            }
            K::IndexAfterLink { index } => format!("[{index}] not expected"),
            K::NestedCollections => {
                "Only Property of type 'any' can have nested collections".to_owned()
            }
            K::ValuesNotDictionary => "@values only allowed on dictionaries".to_owned(),
            K::KeyPathArgumentMixed => {
                "Key path argument cannot be mixed with other elements".to_owned()
            }
            K::KeyPathArgumentType { index, ty } => format!(
                "Invalid index type for '$K{index}'. Expected a string, but found type '{ty}'"
            ),
            K::KeyPathArgumentNull { index } => {
                format!("Null or list cannot be used for parameter '$K{index}'")
            }
            K::IndexArgumentType => "Invalid index type".to_owned(),
            K::PostOpType { op, ty } => {
                format!("Operation '{op}' is not supported on property of type '{ty}'")
            }
            K::AggregateNotList { op, property } => format!(
                "Operation '{op}' cannot apply to property '{property}' because it is not a list"
            ),
            K::AggregatePropertyType { ty } => {
                format!("collection aggregate not supported for type '{ty}'")
            }
            K::AggregateType { op } => {
                format!("Cannot use aggregate '{op}' for this type of property")
            }
            K::SubqueryPrimitive { property } => format!(
                "A subquery can not operate on a list of primitive values (property '{property}')"
            ),
            K::SubqueryNotList { property, ty } => format!(
                "A subquery must operate on a list property, but '{property}' is type '{ty}'"
            ),
            K::SubqueryVariable { variable } => format!(
                "Unable to create a subquery expression with variable '{variable}' since an identical variable already exists in this context"
            ),
            K::ArgumentIndex { index, count } => {
                format!("Request for argument at index {index} but {}", plural(*count))
            }
            K::ArgumentType { explain, ty } => format!("Cannot compare {explain} to a {ty}"),
            K::ArgumentValue { index } => {
                format!("Unsupported argument type at index {index}")
            }
            K::TypeComparison { ty } => {
                format!("Unsupported comparison between @type and raw value: '@type' and '{ty}'")
            }
            K::TypeName { name } => format!(
                "Unable to parse the type attribute string '{name}', supported case insensitive values are: [{}]",
                crate::value::TypeSet::NAMES
            ),
            K::Base64 => "Invalid base64 value".to_owned(),
            K::InvalidTimestamp => "Invalid timestamp format".to_owned(),
            K::DateBefore1900 => "Conversion of dates before 1900 is not supported.".to_owned(),
            K::SortProperty { class, property, clause } => format!(
                "No property '{property}' found on object type '{class}' specified in '{clause}' clause"
            ),
            K::TwoListArithmetic => "Operations involving two lists are not supported".to_owned(),
            K::NoFullTextIndex => "Column has no fulltext index".to_owned(),
            K::MultiTable { what } => format!("{what} is not supported on a single table"),
            K::Geospatial => "Support for Geospatial queries is not enabled".to_owned(),
            K::TooDeep { limit } => format!("Query nests deeper than {limit} levels"),
            K::TooManyTerms { limit } => format!("Query has more than {limit} terms"),
        }
    }
}
