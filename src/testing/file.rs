//! Reading a test file (docs/testing.md) into typed tests.
//!
//! Every value a test holds is read by the reader `check` uses for the same input (users,
//! subscriptions, state entries, changesets: [`crate::judge`]'s input readers, Extended JSON
//! throughout), so a test file and a `check` run cannot disagree about what an input means. Every
//! refusal names the file, the line and the JSON pointer. Members the format does not define are
//! refused, so that a misspelt `expect` or `log_reason` cannot make a test pass by saying less.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value as Json};

use super::error::{TestFileError, TestFileErrorKind as Kind};
use crate::app::App;
use crate::judge::{
    Changeset, InputError, InputErrorKind, Key, State, Style, Subscription, state_entry_from_json,
};
use crate::rules::User;

/// A loaded test file: its app and its tests.
#[derive(Debug, Clone)]
pub struct TestFile {
    pub(crate) path: PathBuf,
    pub(crate) app_dir: PathBuf,
    pub(crate) app: App,
    pub(crate) tests: Vec<TestCase>,
}

/// One test: a session and what it must give.
#[derive(Debug, Clone)]
pub(crate) struct TestCase {
    pub(crate) name: String,
    pub(crate) user: User,
    pub(crate) subscriptions: Vec<Subscription>,
    pub(crate) state: State,
    pub(crate) style: Style,
    pub(crate) body: Body,
}

/// What a test checks.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// Changesets uploaded in order, each with the verdicts expected.
    Changesets(Vec<Step>),
    /// The server's message refusing the subscriptions.
    SubscriptionError(String),
}

/// One uploaded changeset and its expectations.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub(crate) changeset: Changeset,
    pub(crate) expect: Vec<Expectation>,
}

/// The verdict expected for one object.
#[derive(Debug, Clone)]
pub(crate) struct Expectation {
    pub(crate) table: String,
    pub(crate) pk: Key,
    pub(crate) accepted: bool,
    pub(crate) log_reason: Option<String>,
    pub(crate) client_reason: Option<String>,
    /// `Some(None)`: no role may apply.
    pub(crate) role: Option<Option<String>>,
    pub(crate) style: Style,
}

const FILE_KEYS: &[&str] = &["app", "server_style", "tests"];
const TEST_KEYS: &[&str] = &[
    "name",
    "user",
    "subscriptions",
    "state",
    "server_style",
    "changeset",
    "changesets",
    "expect",
    "expect_subscription_error",
];
const CHANGESET_KEYS: &[&str] = &["client_version", "server_version", "writes", "expect"];
const EXPECT_KEYS: &[&str] =
    &["table", "pk", "verdict", "log_reason", "client_reason", "role", "server_style"];

/// The test files under `paths`: a file is taken as given; a directory gives every
/// `*.test.json` below it, in path order (symbolic links to directories are not followed).
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, TestFileError> {
    let mut out = Vec::new();
    for path in paths {
        if !path.is_dir() {
            out.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        let mut pending = vec![path.clone()];
        while let Some(dir) = pending.pop() {
            let io = |e: std::io::Error| TestFileError::new(&dir, "", Kind::Io(e.to_string()));
            for entry in std::fs::read_dir(&dir).map_err(io)? {
                let entry = entry.map_err(io)?;
                let kind = entry.file_type().map_err(io)?;
                let p = entry.path();
                if kind.is_dir() {
                    pending.push(p);
                } else if kind.is_file()
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.ends_with(".test.json"))
                {
                    found.push(p);
                }
            }
        }
        if found.is_empty() {
            return Err(TestFileError::new(path, "", Kind::NoTestFiles));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// `path` with `.` and `dir/..` removed, as a person would write it.
fn tidy(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

impl TestFile {
    /// Reads the test file at `path` and loads the app it names (relative to the file).
    pub fn load(path: &Path) -> Result<TestFile, TestFileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| TestFileError::new(path, "", Kind::Io(e.to_string())))?;
        TestFile::from_text(path, &text).map_err(|e| e.located(&text))
    }

    /// Reads a test file from its text; `path` names it in errors and anchors `app`.
    pub fn from_text(path: &Path, text: &str) -> Result<TestFile, TestFileError> {
        let json: Json = serde_json::from_str(text).map_err(|e| {
            let kind = Kind::Json {
                line: e.line(),
                column: e.column(),
                message: crate::json::message(&e),
            };
            TestFileError::new(path, "", kind).at_line(e.line())
        })?;
        Reader { path }.file(&json).map_err(|e| e.located(text))
    }

    /// The file's path, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The app directory the file names, relative to the working directory.
    pub fn app_dir(&self) -> &Path {
        &self.app_dir
    }

    /// How many tests the file holds.
    pub fn len(&self) -> usize {
        self.tests.len()
    }

    /// Whether the file holds no test (never true of a loaded file).
    pub fn is_empty(&self) -> bool {
        self.tests.is_empty()
    }
}

struct Reader<'p> {
    path: &'p Path,
}

type Res<T> = Result<T, TestFileError>;

impl Reader<'_> {
    fn err(&self, pointer: impl Into<String>, kind: Kind) -> TestFileError {
        TestFileError::new(self.path, pointer, kind)
    }

    /// A judge input error, its pointer taken below `at`.
    fn input(&self, at: &str, e: &InputError) -> TestFileError {
        self.err(format!("{at}{}", e.pointer()), Kind::Input(e.kind().clone()))
    }

    fn object<'j>(&self, json: &'j Json, at: &str, keys: &[&str]) -> Res<&'j Map<String, Json>> {
        let map = json.as_object().ok_or_else(|| self.err(at, Kind::Type("an object")))?;
        if let Some(k) = map.keys().find(|k| !keys.contains(&k.as_str())) {
            return Err(self.err(crate::json::child(at, k), Kind::UnknownMember(k.clone())));
        }
        Ok(map)
    }

    fn string(&self, map: &Map<String, Json>, at: &str, name: &'static str) -> Res<String> {
        let v = map.get(name).ok_or_else(|| self.err(at, Kind::Missing(name)))?;
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| self.err(crate::json::child(at, name), Kind::Type("a string")))
    }

    fn array<'j>(&self, json: &'j Json, at: &str) -> Res<&'j Vec<Json>> {
        json.as_array().ok_or_else(|| self.err(at, Kind::Type("an array")))
    }

    fn style(&self, map: &Map<String, Json>, at: &str, inherited: Style) -> Res<Style> {
        let at = crate::json::child(at, "server_style");
        match map.get("server_style") {
            None => Ok(inherited),
            Some(v) => {
                match v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()).as_str() {
                    "2023" => Ok(Style::Y2023),
                    "2024" => Ok(Style::Y2024),
                    other => Err(self.err(at, Kind::Style(other.to_owned()))),
                }
            }
        }
    }

    fn file(&self, json: &Json) -> Res<TestFile> {
        let map = self.object(json, "", FILE_KEYS)?;
        let app = self.string(map, "", "app")?;
        let base = self.path.parent().unwrap_or_else(|| Path::new(""));
        let app_dir = tidy(&base.join(&app));
        let app = App::load(&app_dir).map_err(|error| {
            self.err(
                "/app",
                Kind::App { dir: app_dir.display().to_string(), error: Box::new(error) },
            )
        })?;
        let style = self.style(map, "", Style::Y2024)?;
        let items = self.array(
            map.get("tests").ok_or_else(|| self.err("", Kind::Missing("tests")))?,
            "/tests",
        )?;
        if items.is_empty() {
            return Err(self.err("/tests", Kind::NoTests));
        }
        let mut names = BTreeSet::new();
        let mut tests = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = crate::json::index("/tests", i);
            let test = self.test(item, &at, style)?;
            if !names.insert(test.name.clone()) {
                return Err(self.err(format!("{at}/name"), Kind::DuplicateName(test.name)));
            }
            tests.push(test);
        }
        Ok(TestFile { path: self.path.to_path_buf(), app_dir, app, tests })
    }

    fn test(&self, json: &Json, at: &str, style: Style) -> Res<TestCase> {
        let map = self.object(json, at, TEST_KEYS)?;
        let name = self.string(map, at, "name")?;
        let style = self.style(map, at, style)?;
        let user_json = map.get("user").ok_or_else(|| self.err(at, Kind::Missing("user")))?;
        let user = User::from_json(user_json).map_err(|e| {
            self.err(format!("{at}/user{}", e.pointer()), Kind::User(e.kind().clone()))
        })?;
        let mut subscriptions = Vec::new();
        if let Some(subs) = map.get("subscriptions") {
            let sat = format!("{at}/subscriptions");
            for (i, s) in self.array(subs, &sat)?.iter().enumerate() {
                let sub = Subscription::from_json(s, &crate::json::index(&sat, i))
                    .map_err(|e| self.input("", &e))?;
                subscriptions.push(sub);
            }
        }
        let mut state = State::new();
        if let Some(entries) = map.get("state") {
            let sat = format!("{at}/state");
            for (i, s) in self.array(entries, &sat)?.iter().enumerate() {
                let eat = crate::json::index(&sat, i);
                let (table, pk, object) =
                    state_entry_from_json(s).map_err(|e| self.input(&eat, &e))?;
                state.put(&table, pk, object);
            }
        }
        let one = map.get("changeset");
        let many = map.get("changesets");
        let refused = map.get("expect_subscription_error");
        let body = match (one, many, refused) {
            (Some(_), Some(_), _) => {
                return Err(self.err(at, Kind::Conflict("changeset", "changesets")));
            }
            (Some(_), None, Some(_)) => {
                return Err(self.err(at, Kind::Conflict("changeset", "expect_subscription_error")));
            }
            (None, Some(_), Some(_)) => {
                return Err(self.err(at, Kind::Conflict("changesets", "expect_subscription_error")));
            }
            (None, None, Some(message)) => {
                if map.contains_key("expect") {
                    return Err(self.err(at, Kind::Conflict("expect", "expect_subscription_error")));
                }
                let message = message.as_str().ok_or_else(|| {
                    self.err(format!("{at}/expect_subscription_error"), Kind::Type("a string"))
                })?;
                Body::SubscriptionError(message.to_owned())
            }
            (Some(cs), None, None) => {
                let cat = format!("{at}/changeset");
                let expect =
                    map.get("expect").ok_or_else(|| self.err(at, Kind::Missing("expect")))?;
                let step = self.step(cs, &cat, 0, Some((expect, format!("{at}/expect"))), style)?;
                Body::Changesets(vec![step])
            }
            (None, Some(list), None) => {
                if map.contains_key("expect") {
                    return Err(self.err(
                        format!("{at}/expect"),
                        Kind::UnknownMember("expect (each changeset has its own)".to_owned()),
                    ));
                }
                let lat = format!("{at}/changesets");
                let mut steps = Vec::new();
                for (i, cs) in self.array(list, &lat)?.iter().enumerate() {
                    steps.push(self.step(cs, &crate::json::index(&lat, i), i, None, style)?);
                }
                Body::Changesets(steps)
            }
            (None, None, None) => return Err(self.err(at, Kind::NothingToCheck)),
        };
        Ok(TestCase { name, user, subscriptions, state, style, body })
    }

    /// One changeset at `at`, the `index`-th of its test. Its expectations are `expect` (a
    /// single `changeset`'s sibling) or its own `expect` member.
    fn step(
        &self,
        json: &Json,
        at: &str,
        index: usize,
        expect: Option<(&Json, String)>,
        style: Style,
    ) -> Res<Step> {
        let map = self.object(json, at, CHANGESET_KEYS)?;
        let mut body = map.clone();
        let (expect, eat) = match expect {
            Some(e) => {
                if map.contains_key("expect") {
                    return Err(self.err(
                        format!("{at}/expect"),
                        Kind::UnknownMember("expect (it belongs beside `changeset`)".to_owned()),
                    ));
                }
                (e.0.clone(), e.1)
            }
            None => {
                let e =
                    body.remove("expect").ok_or_else(|| self.err(at, Kind::Missing("expect")))?;
                (e, format!("{at}/expect"))
            }
        };
        // A test's changesets are numbered in order unless the file says otherwise.
        body.entry("client_version").or_insert_with(|| Json::from(index.saturating_add(1)));
        let changeset =
            Changeset::from_json(&Json::Object(body)).map_err(|e| self.input(at, &e))?;
        let mut seen = BTreeSet::new();
        let mut list = Vec::new();
        for (i, item) in self.array(&expect, &eat)?.iter().enumerate() {
            let iat = crate::json::index(&eat, i);
            let e = self.expectation(item, &iat, style)?;
            let what = format!("{} {}", e.table, e.pk.render(e.style));
            if !seen.insert((e.table.clone(), e.pk.clone())) {
                return Err(self.err(iat, Kind::DuplicateExpectation(what)));
            }
            list.push(e);
        }
        Ok(Step { changeset, expect: list })
    }

    fn expectation(&self, json: &Json, at: &str, style: Style) -> Res<Expectation> {
        let map = self.object(json, at, EXPECT_KEYS)?;
        let table = self.string(map, at, "table")?;
        let pat = format!("{at}/pk");
        let pk_json = map.get("pk").ok_or_else(|| self.err(at, Kind::Missing("pk")))?;
        let pk_bson = crate::value::ejson::from_json(pk_json.clone())
            .map_err(|e| self.err(&pat, Kind::Input(InputErrorKind::Ejson(e.to_string()))))?;
        let pk = Key::from_bson(&pk_bson)
            .ok_or_else(|| self.err(&pat, Kind::Input(InputErrorKind::Key(pk_bson.to_string()))))?;
        let verdict = self.string(map, at, "verdict")?;
        let accepted = match verdict.as_str() {
            "accepted" => true,
            "rejected" => false,
            other => return Err(self.err(format!("{at}/verdict"), Kind::Verdict(other.to_owned()))),
        };
        let reason = |name: &'static str| -> Res<Option<String>> {
            if !map.contains_key(name) {
                return Ok(None);
            }
            if accepted {
                return Err(self.err(crate::json::child(at, name), Kind::ReasonOfAccepted(name)));
            }
            self.string(map, at, name).map(Some)
        };
        let log_reason = reason("log_reason")?;
        let client_reason = reason("client_reason")?;
        let role = match map.get("role") {
            None => None,
            Some(Json::Null) => Some(None),
            Some(Json::String(s)) => Some(Some(s.clone())),
            Some(_) => {
                return Err(self.err(format!("{at}/role"), Kind::Type("a string or null")));
            }
        };
        let style = self.style(map, at, style)?;
        Ok(Expectation { table, pk, accepted, log_reason, client_reason, role, style })
    }
}
