//! Key-path assembly shared by every path the parser reads: `@links` steps are fused with the
//! names after them here, apart from the tree walk, because the fusion depends only on the
//! sequence of steps, not on how the grammar produced them.

use super::ast::{IndexStep, PathElement, PathElementKind};
use super::error::{ParseError, ParseErrorKind};
use crate::span::{Loc, Span};

type Result<T> = std::result::Result<T, ParseError>;

/// Fuses `@links` with the two names after it, as realm-core's path builder does.
///
/// `@links` alone (at the end of a path) means every incoming link. `@links.Class` with nothing
/// after it is what realm-core reads as class `Class` and property `Class`, so it becomes exactly
/// that. A `['key']` step counts as a name here, and `['@links']` starts a backlink like `@links`.
#[derive(Default)]
pub(super) struct PathBuilder {
    elements: Vec<PathElement>,
    /// After `@links`: where it started and the class, once read.
    backlink: Option<(Span, Option<String>)>,
}

impl PathBuilder {
    pub(super) fn push(&mut self, element: PathElement) -> Result<()> {
        let span = element.loc.0;
        match self.backlink.take() {
            Some((start, class)) => {
                let name = match element.kind {
                    PathElementKind::Name(name) | PathElementKind::Index(IndexStep::Key(name)) => {
                        name
                    }
                    PathElementKind::AllBacklinks => "@links".to_owned(),
                    PathElementKind::Keys => "@keys".to_owned(),
                    PathElementKind::Values => "@values".to_owned(),
                    _ => {
                        return Err(ParseError::new(ParseErrorKind::BacklinkWithoutName, span));
                    }
                };
                match class {
                    None => self.backlink = Some((start, Some(name))),
                    Some(class) => self.elements.push(PathElement {
                        kind: PathElementKind::Backlinks { class, property: name },
                        loc: Loc(start.join(span)),
                    }),
                }
            }
            None => match element.kind {
                PathElementKind::AllBacklinks => self.backlink = Some((span, None)),
                PathElementKind::Index(IndexStep::Key(ref key)) if key == "@links" => {
                    self.backlink = Some((span, None));
                }
                _ => self.elements.push(element),
            },
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> Vec<PathElement> {
        if let Some((start, class)) = self.backlink.take() {
            let kind = match class {
                None => PathElementKind::AllBacklinks,
                Some(class) => PathElementKind::Backlinks { property: class.clone(), class },
            };
            self.elements.push(PathElement { kind, loc: Loc(start) });
        }
        self.elements
    }
}
