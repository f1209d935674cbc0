//! A spec generator driven by the fuzzer's bytes. Byte-level fuzzing of the loader rarely gets
//! past the schema, so the renderers get specs built here: every value is drawn from a hostile
//! alphabet *within* what the schema allows (names full of `-`, `_` and digits, bucket names of
//! dots, log-group names of `#` and `/`), and tag keys, tag values and the Lambda function name
//! (free text in the schema) from fragments that mean something in YAML, JSON, HCL or
//! CloudFormation. The spec is written out as text (JSON or YAML) and goes through the real
//! load -> validate -> render path; [`Spec::expected`] says which strings must come back.

use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Result, Unstructured};
use serde_json::{Map, Value, json};

pub const ACCOUNTS: [&str; 2] = ["111122223333", "444455556666"];
/// The regions IVS Chat offers, and one it does not (only a warning, CL021).
pub const REGIONS: [&str; 8] = [
    "us-west-2",
    "us-east-1",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "mx-central-1",
];
const RETENTION: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Pieces of free text that mean something to one of the languages chatlog reads or writes.
const HOSTILE: &[&str] = &[
    "\"",
    "'",
    "\\",
    "\\\\",
    "${",
    "$${",
    "$$${",
    "%{",
    "%%{",
    "}",
    "${AWS::Region}",
    "${Foo}",
    "!Ref ",
    "!GetAtt x.Arn",
    "!Sub ",
    "Fn::Sub",
    "Fn::Join",
    "Ref",
    "#",
    " #",
    "# x",
    "---",
    "...",
    "&a ",
    "*a",
    "<<",
    ": ",
    ":",
    "- ",
    "? ",
    "|",
    ">",
    "{",
    "[",
    "]",
    ",",
    "@",
    "`",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\0",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "\u{200b}",
    "日本語",
    "🎉",
    "é",
    "~",
    "null",
    "true",
    "yes",
    "NO",
    "on",
    "0755",
    "1e3",
    "0x1F",
    "1_000",
    ".inf",
    "2010-09-09",
    "<<EOT\n",
    "EOT",
    "%",
    "$",
    "var.x",
    "each.key",
    "jsonencode(",
    "aws:",
    " ",
    "  ",
    "=",
    "*/",
    "/*",
    "//",
    "-->",
    "<!--",
    "&amp;",
    "\u{0}x",
];

/// Drawn-from alphabets, each within what the schema allows for that value.
#[derive(Clone, Copy)]
enum Alphabet {
    /// Entry keys and AWS names: `[A-Za-z0-9_-]`.
    Name,
    /// Bucket names: `[a-z0-9.-]`.
    Bucket,
    /// Log group names: `[A-Za-z0-9._/#-]`.
    LogGroup,
    /// Delivery stream names: `[A-Za-z0-9_.-]`.
    Stream,
    /// Anything (tag keys and values, the Lambda function name).
    Free,
}

impl Alphabet {
    fn fragments(self) -> &'static [&'static str] {
        match self {
            Alphabet::Name => &[
                "a",
                "Z",
                "0",
                "9",
                "-",
                "_",
                "--",
                "__",
                "true",
                "null",
                "for",
                "in",
                "if",
                "Ref",
                "Fn",
                "GetAtt",
                "aws",
                "AWS",
                "lobby",
                "EOT",
                "var",
                "count",
                "self",
                "1",
                "chat-lobby",
                "chat_lobby",
                "Chat",
                "x-",
                "_x",
            ],
            Alphabet::Bucket => &[
                "a",
                "z",
                "0",
                "9",
                ".",
                "-",
                "..",
                ".-",
                "-.",
                "xn--",
                "aws",
                "192.168.0.1",
                "s3",
                "chat",
            ],
            Alphabet::LogGroup => &[
                "a",
                "Z",
                "0",
                ".",
                "-",
                "_",
                "/",
                "#",
                "//",
                "##",
                "aws/",
                "/aws/vendedlogs/",
                "#/",
                "..",
                "#tail",
                "/ivs/chat/",
            ],
            Alphabet::Stream => &["a", "Z", "0", "_", ".", "-", "..", "chat-analytics", "_."],
            Alphabet::Free => HOSTILE,
        }
    }

    fn allows(self, c: char) -> bool {
        match self {
            Alphabet::Name => c.is_ascii_alphanumeric() || c == '-' || c == '_',
            Alphabet::Bucket => {
                c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'
            }
            Alphabet::LogGroup => c.is_ascii_alphanumeric() || "._/#-".contains(c),
            Alphabet::Stream => c.is_ascii_alphanumeric() || "_.-".contains(c),
            Alphabet::Free => true,
        }
    }

    /// What pads a value that came out shorter than its minimum.
    fn filler(self) -> char {
        match self {
            Alphabet::Bucket => '0',
            _ => 'a',
        }
    }
}

/// A string of `min..=max` characters from `alphabet`: fragments, and single characters from
/// the input (kept when the alphabet allows them).
fn text(u: &mut Unstructured<'_>, alphabet: Alphabet, min: usize, max: usize) -> Result<String> {
    let mut s = String::new();
    let pieces = u.int_in_range(0..=12u8)?;
    for _ in 0..pieces {
        if u.ratio(3u8, 4u8)? {
            s.push_str(u.choose(alphabet.fragments())?);
        } else {
            let c = char::arbitrary(u)?;
            if alphabet.allows(c) {
                s.push(c);
            }
        }
    }
    Ok(fit(s, alphabet, min, max))
}

fn fit(s: String, alphabet: Alphabet, min: usize, max: usize) -> String {
    let mut s: String = s.chars().take(max).collect();
    while s.chars().count() < min {
        s.push(alphabet.filler());
    }
    s
}

/// Makes `s` differ from everything in `taken` by appending a number, keeping it within `max`
/// characters (the alphabets all allow digits).
/// A bucket name from the model's alphabet made one S3 takes too (chatlog refuses the rest,
/// CL012): no adjacent periods, a letter or digit at both ends, not an IP address, none of the
/// reserved prefixes and suffixes. Digits appended by `unique` keep it so.
fn s3_bucket(raw: String) -> String {
    let mut s = raw;
    while s.contains("..") {
        s = s.replace("..", ".0");
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge(s.chars().next()) {
        s.replace_range(..1, "0");
    }
    if !edge(s.chars().last()) {
        s.pop();
        s.push('0');
    }
    let reserved_start = ["xn--", "sthree-", "amzn-s3-demo-"]
        .iter()
        .any(|p| s.starts_with(p));
    let parts: Vec<&str> = s.split('.').collect();
    let address = parts.len() == 4 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
    if reserved_start || address {
        s = format!("b{}", s.chars().take(61).collect::<String>());
    }
    if ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
        .iter()
        .any(|x| s.ends_with(x))
    {
        s.pop();
        s.push('0');
    }
    s
}

fn unique(s: String, taken: &mut BTreeSet<String>, max: usize) -> String {
    let mut candidate = s.clone();
    let mut n = 0u32;
    while taken.contains(&candidate) {
        n += 1;
        let suffix = n.to_string();
        let keep = max.saturating_sub(suffix.len());
        candidate = s.chars().take(keep).collect::<String>() + &suffix;
    }
    taken.insert(candidate.clone());
    candidate
}

pub use crate::readback::Tags;

fn tags(u: &mut Unstructured<'_>, max: u8) -> Result<Tags> {
    let mut out = Tags::new();
    let n = u.int_in_range(0..=max)?;
    for _ in 0..n {
        let mut key = text(u, Alphabet::Free, 1, 128)?;
        if key.starts_with("aws:") {
            key.replace_range(..1, "A");
        }
        // An empty value is legal for the API, but CloudFormation refuses it on rooms (CL061):
        // keep it rare so that most specs render.
        let value = if u.ratio(1u8, 32u8)? {
            String::new()
        } else {
            text(u, Alphabet::Free, 1, 256)?
        };
        out.insert(key, value);
    }
    Ok(out)
}

/// Account and region indices; `None` inherits the defaults.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub account: Option<usize>,
    pub region: Option<usize>,
}

impl Place {
    fn write(self, m: &mut Map<String, Value>) {
        if let Some(a) = self.account.and_then(|i| ACCOUNTS.get(i)) {
            m.insert("account".into(), json!(a));
        }
        if let Some(r) = self.region.and_then(|i| REGIONS.get(i)) {
            m.insert("region".into(), json!(r));
        }
    }
}

fn place(u: &mut Unstructured<'_>) -> Result<Place> {
    let account = if u.ratio(1u8, 4u8)? {
        Some(u.choose_index(ACCOUNTS.len())?)
    } else {
        None
    };
    let region = if u.ratio(1u8, 3u8)? {
        Some(u.choose_index(REGIONS.len())?)
    } else {
        None
    };
    Ok(Place { account, region })
}

#[derive(Clone, Debug)]
pub enum Kind {
    S3 {
        bucket: String,
        create: bool,
    },
    Logs {
        group: String,
        create: bool,
        retention: Option<u32>,
    },
    Firehose {
        stream: String,
    },
}

#[derive(Clone, Debug)]
pub struct Destination {
    pub key: String,
    pub place: Place,
    pub kind: Kind,
    pub tags: Tags,
}

impl Destination {
    pub fn managed(&self) -> bool {
        matches!(
            self.kind,
            Kind::S3 { create: true, .. } | Kind::Logs { create: true, .. }
        )
    }
    pub fn resource_name(&self) -> &str {
        match &self.kind {
            Kind::S3 { bucket, .. } => bucket,
            Kind::Logs { group, .. } => group,
            Kind::Firehose { stream } => stream,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Configuration {
    pub key: String,
    pub name: Option<String>,
    /// Index into the destinations.
    pub destination: usize,
    pub tags: Tags,
}

#[derive(Clone, Debug)]
pub struct Room {
    pub key: String,
    pub name: Option<String>,
    pub place: Place,
    /// Keys of logging configurations.
    pub logging: Vec<String>,
    pub length: Option<u32>,
    pub rate: Option<u32>,
    pub handler: Option<(String, Option<&'static str>)>,
    pub tags: Tags,
}

/// How the spec is written out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// Pretty JSON in a `.json` file (strict JSON).
    Json,
    /// Compact JSON in a `.yaml` file (JSON is YAML).
    JsonAsYaml,
    /// YAML as serde-saphyr writes it.
    Yaml,
}

#[derive(Clone, Debug)]
pub struct Spec {
    pub syntax: Syntax,
    pub bom: bool,
    pub crlf: bool,
    pub defaults: Place,
    pub default_tags: Tags,
    pub destinations: Vec<Destination>,
    pub configurations: Vec<Configuration>,
    pub rooms: Vec<Room>,
}

impl<'a> Arbitrary<'a> for Spec {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        generate(u)
    }
}

fn generate(u: &mut Unstructured<'_>) -> Result<Spec> {
    let syntax = *u.choose(&[Syntax::Json, Syntax::JsonAsYaml, Syntax::Yaml])?;
    let bom = u.ratio(1u8, 8u8)?;
    let crlf = syntax != Syntax::Yaml && u.ratio(1u8, 4u8)?;
    let defaults = Place {
        account: Some(u.choose_index(ACCOUNTS.len())?),
        region: Some(u.choose_index(REGIONS.len())?),
    };
    // Defaults and own tags stay within 50 together (CL036).
    let default_tags = tags(u, 20)?;
    let mut destination_keys = BTreeSet::new();
    let mut resource_names = BTreeSet::new();
    let mut destinations = Vec::new();
    for _ in 0..u.int_in_range(0..=8u8)? {
        let key = unique(text(u, Alphabet::Name, 1, 128)?, &mut destination_keys, 128);
        let p = place(u)?;
        let kind = match u.int_in_range(0..=2u8)? {
            0 => Kind::S3 {
                bucket: unique(
                    s3_bucket(text(u, Alphabet::Bucket, 3, 63)?),
                    &mut resource_names,
                    63,
                ),
                create: bool::arbitrary(u)?,
            },
            1 => {
                let create = bool::arbitrary(u)?;
                let mut group = text(u, Alphabet::LogGroup, 1, 512)?;
                if create && group.starts_with("aws/") {
                    group.replace_range(..1, "A");
                }
                let retention = if create && bool::arbitrary(u)? {
                    Some(*u.choose(&RETENTION)?)
                } else {
                    None
                };
                Kind::Logs {
                    group: unique(group, &mut resource_names, 512),
                    create,
                    retention,
                }
            }
            _ => Kind::Firehose {
                stream: unique(text(u, Alphabet::Stream, 1, 64)?, &mut resource_names, 64),
            },
        };
        destinations.push(Destination {
            key,
            place: p,
            kind,
            tags: tags(u, 20)?,
        });
    }
    // At most 10 configurations, the default quota per account and region (CL035).
    let mut configuration_keys = BTreeSet::new();
    let mut configurations = Vec::new();
    if !destinations.is_empty() {
        for _ in 0..u.int_in_range(0..=10u8)? {
            let key = unique(
                text(u, Alphabet::Name, 1, 128)?,
                &mut configuration_keys,
                128,
            );
            let name = if bool::arbitrary(u)? {
                Some(text(u, Alphabet::Name, 0, 128)?)
            } else {
                None
            };
            configurations.push(Configuration {
                key,
                name,
                destination: u.choose_index(destinations.len())?,
                tags: tags(u, 20)?,
            });
        }
    }
    let placement_of = |c: &Configuration| -> (usize, usize) {
        let d = destinations
            .get(c.destination)
            .map(|d| d.place)
            .unwrap_or_default();
        (
            d.account.or(defaults.account).unwrap_or(0),
            d.region.or(defaults.region).unwrap_or(0),
        )
    };
    let mut room_keys = BTreeSet::new();
    let mut rooms = Vec::new();
    for _ in 0..u.int_in_range(0..=8u8)? {
        let key = unique(text(u, Alphabet::Name, 1, 128)?, &mut room_keys, 128);
        let name = if bool::arbitrary(u)? {
            Some(text(u, Alphabet::Name, 0, 128)?)
        } else {
            None
        };
        // Mostly where one of the configurations lives, so that it may use them.
        let p = match configurations.get(u.choose_index(configurations.len().max(1))?) {
            Some(c) if u.ratio(3u8, 4u8)? => {
                let (a, r) = placement_of(c);
                Place {
                    account: (Some(a) != defaults.account).then_some(a),
                    region: (Some(r) != defaults.region).then_some(r),
                }
            }
            _ => place(u)?,
        };
        let here = (
            p.account.or(defaults.account).unwrap_or(0),
            p.region.or(defaults.region).unwrap_or(0),
        );
        let usable: Vec<&Configuration> = configurations
            .iter()
            .filter(|c| placement_of(c) == here)
            .collect();
        let mut logging = Vec::new();
        for _ in 0..u.int_in_range(0..=3u8)? {
            if let Some(c) = usable.get(u.choose_index(usable.len().max(1))?)
                && !logging.contains(&c.key)
            {
                logging.push(c.key.clone());
            }
        }
        let length = if bool::arbitrary(u)? {
            Some(u.int_in_range(1..=500)?)
        } else {
            None
        };
        // Above 10 only CloudFormation and Terraform refuse (CL060, CL080): keep it rare.
        let rate = match u.int_in_range(0..=15u8)? {
            0 => Some(u.int_in_range(11..=100)?),
            1..=7 => Some(u.int_in_range(1..=10)?),
            _ => None,
        };
        let handler = if u.ratio(1u8, 3u8)? {
            Some((
                lambda_arn(u)?,
                *u.choose(&[None, Some("ALLOW"), Some("DENY")])?,
            ))
        } else {
            None
        };
        rooms.push(Room {
            key,
            name,
            place: p,
            logging,
            length,
            rate,
            handler,
            tags: tags(u, 20)?,
        });
    }
    // Rarely, many copies of the rooms, so that CloudFormation splits the deployment.
    if !rooms.is_empty() && u.ratio(1u8, 64u8)? {
        let copies = 210 / rooms.len() + 1;
        let originals = rooms.clone();
        for i in 1..copies {
            for r in &originals {
                let mut copy = r.clone();
                copy.key = unique(
                    format!("{}-{i}", fit(r.key.clone(), Alphabet::Name, 1, 120)),
                    &mut room_keys,
                    128,
                );
                rooms.push(copy);
            }
        }
    }
    Ok(Spec {
        syntax,
        bom,
        crlf,
        defaults,
        default_tags,
        destinations,
        configurations,
        rooms,
    })
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME`, at most 170 characters, where NAME is free
/// text whose first character is not a line break.
fn lambda_arn(u: &mut Unstructured<'_>) -> Result<String> {
    let region = if bool::arbitrary(u)? {
        (*u.choose(&REGIONS)?).to_owned()
    } else {
        let r: String = text(u, Alphabet::Bucket, 1, 20)?
            .chars()
            .filter(|c| *c != '.')
            .collect();
        if r.is_empty() { "x".to_owned() } else { r }
    };
    let account = u.choose(&ACCOUNTS)?;
    let prefix = format!("arn:aws:lambda:{region}:{account}:function:");
    let room = 170usize.saturating_sub(prefix.chars().count());
    let mut name = text(u, Alphabet::Free, 1, room)?;
    if name.starts_with(['\n', '\r']) {
        name.replace_range(..1, "f");
    }
    Ok(prefix + &name)
}

impl Spec {
    /// The file name the spec is given: its extension chooses strict JSON.
    pub fn file_name(&self) -> &'static str {
        match self.syntax {
            Syntax::Json => "spec.json",
            Syntax::JsonAsYaml | Syntax::Yaml => "spec.yaml",
        }
    }

    pub fn to_value(&self) -> Value {
        let mut root = Map::new();
        root.insert("version".into(), json!(1));
        let mut defaults = Map::new();
        self.defaults.write(&mut defaults);
        if !self.default_tags.is_empty() {
            defaults.insert("tags".into(), json!(self.default_tags));
        }
        root.insert("defaults".into(), Value::Object(defaults));
        let mut destinations = Map::new();
        for d in &self.destinations {
            let mut m = Map::new();
            let kind = match &d.kind {
                Kind::S3 { bucket, create } => json!({"s3": {"bucket": bucket, "create": create}}),
                Kind::Logs {
                    group,
                    create,
                    retention,
                } => {
                    let mut g = json!({"log_group": group, "create": create});
                    if let (Some(days), Some(o)) = (retention, g.as_object_mut()) {
                        o.insert("retention_days".into(), json!(days));
                    }
                    json!({ "cloudwatch_logs": g })
                }
                Kind::Firehose { stream } => json!({"firehose": {"delivery_stream": stream}}),
            };
            if let Value::Object(k) = kind {
                m.extend(k);
            }
            d.place.write(&mut m);
            if !d.tags.is_empty() {
                m.insert("tags".into(), json!(d.tags));
            }
            destinations.insert(d.key.clone(), Value::Object(m));
        }
        root.insert("destinations".into(), Value::Object(destinations));
        let mut configurations = Map::new();
        for c in &self.configurations {
            let mut m = Map::new();
            let destination = self
                .destinations
                .get(c.destination)
                .map_or("", |d| d.key.as_str());
            m.insert("destination".into(), json!(destination));
            if let Some(n) = &c.name {
                m.insert("name".into(), json!(n));
            }
            if !c.tags.is_empty() {
                m.insert("tags".into(), json!(c.tags));
            }
            configurations.insert(c.key.clone(), Value::Object(m));
        }
        root.insert(
            "logging_configurations".into(),
            Value::Object(configurations),
        );
        let mut rooms = Map::new();
        for r in &self.rooms {
            let mut m = Map::new();
            if let Some(n) = &r.name {
                m.insert("name".into(), json!(n));
            }
            if !r.logging.is_empty() {
                m.insert("logging".into(), json!(r.logging));
            }
            if let Some(n) = r.length {
                m.insert("maximum_message_length".into(), json!(n));
            }
            if let Some(n) = r.rate {
                m.insert("maximum_message_rate_per_second".into(), json!(n));
            }
            if let Some((uri, fallback)) = &r.handler {
                let mut h = Map::new();
                h.insert("uri".into(), json!(uri));
                if let Some(f) = fallback {
                    h.insert("fallback_result".into(), json!(f));
                }
                m.insert("message_review_handler".into(), Value::Object(h));
            }
            r.place.write(&mut m);
            if !r.tags.is_empty() {
                m.insert("tags".into(), json!(r.tags));
            }
            rooms.insert(r.key.clone(), Value::Object(m));
        }
        root.insert("rooms".into(), Value::Object(rooms));
        Value::Object(root)
    }

    /// The spec as the bytes of a file.
    pub fn to_bytes(&self) -> Vec<u8> {
        write(&self.to_value(), self.syntax, self.bom, self.crlf)
    }

    fn merged(&self, own: &Tags) -> Tags {
        let mut t = self.default_tags.clone();
        t.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        t
    }

    /// The strings each target must carry unaltered.
    pub fn expected(&self) -> Expected {
        let mut e = Expected::default();
        for (i, d) in self.destinations.iter().enumerate() {
            // An existing destination no configuration uses appears only inside ARNs.
            let used = self.configurations.iter().any(|c| c.destination == i);
            if d.managed() || used {
                e.resource_names.insert(d.resource_name().to_owned());
            } else {
                e.mentioned.insert(d.resource_name().to_owned());
            }
            if d.managed() {
                e.tags.push(self.merged(&d.tags));
            }
        }
        for c in &self.configurations {
            e.names
                .insert(c.name.clone().unwrap_or_else(|| c.key.clone()));
            e.tags.push(self.merged(&c.tags));
        }
        for r in &self.rooms {
            e.names
                .insert(r.name.clone().unwrap_or_else(|| r.key.clone()));
            if let Some((uri, _)) = &r.handler {
                e.uris.insert(uri.clone());
            }
            e.tags.push(self.merged(&r.tags));
        }
        e.tags.retain(|t| !t.is_empty());
        e
    }
}

/// Serializes a spec document in one of the syntaxes, with an optional byte-order mark and
/// CRLF line ends (only where line ends are whitespace between tokens).
pub fn write(value: &Value, syntax: Syntax, bom: bool, crlf: bool) -> Vec<u8> {
    let mut text = match syntax {
        Syntax::Json => serde_json::to_string_pretty(value).unwrap_or_default(),
        Syntax::JsonAsYaml => serde_json::to_string(value).unwrap_or_default(),
        Syntax::Yaml => serde_saphyr::to_string(value).unwrap_or_default(),
    };
    if crlf && syntax != Syntax::Yaml {
        text = text.replace('\n', "\r\n");
    }
    let mut bytes = Vec::new();
    if bom {
        bytes.extend_from_slice("\u{feff}".as_bytes());
    }
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// What a render must carry: each string as a whole string value (or key) of the parsed file.
#[derive(Debug, Default)]
pub struct Expected {
    /// Room and logging-configuration names as IVS Chat stores them.
    pub names: BTreeSet<String>,
    /// Bucket, log group and delivery stream names.
    pub resource_names: BTreeSet<String>,
    /// Names that appear inside other strings (ARNs) at least.
    pub mentioned: BTreeSet<String>,
    /// Lambda ARNs of review handlers.
    pub uris: BTreeSet<String>,
    /// The merged tags of every resource a template creates.
    pub tags: Vec<Tags>,
}
