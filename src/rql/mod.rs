//! Realm Query Language: the syntax tree (and, as it lands, the parser and printer).

pub mod ast;
mod grammar;

#[cfg(test)]
mod scratch {
    use super::grammar::{RqlParser, Rule};
    use pest::Parser;
    #[test]
    fn scratch() {
        for q in std::fs::read_to_string("/tmp/q.txt").unwrap().lines() {
            match RqlParser::parse(Rule::query, q) {
                Ok(_) => println!("OK   {q}"),
                Err(e) => println!("ERR  {q}\n{e}"),
            }
        }
    }
}
