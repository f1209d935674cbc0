//! `chatlog policy verify`: do existing policy documents grant what log delivery needs for the
//! spec's destinations, no less and no look-alike more? Pure: needed statements and read
//! documents in, diagnostics out.
//!
//! An Allow statement grants a needed (action, resource) pair when, after normalization, its
//! principal includes log delivery, an action pattern matches the action, a resource pattern
//! covers the whole needed resource, and its conditions surely hold for log delivery's request
//! (see [`request`]). A needed statement is met when every pair is granted, possibly by several
//! statements. The statements that grant are then judged for what they grant beyond the need.

mod glob;
pub mod input;
mod request;

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::model::{DestinationKind, Model};
use crate::spec::source::{Anchor, Sources};

use super::log_delivery::{self as ld, DELIVERY_PRINCIPAL, Source};
use super::normalize::{self, Effect, Name, Principal, Statement};
use super::plan;

pub use input::{Document, Kind, Located, PolicyFile, ReadError};
use request::{Request, Truth};

/// The prefix of the Sids AWS gives its log-delivery statements (aws-facts §1(c)).
const LOOK_ALIKE_PREFIX: &str = "AWSLogDelivery";

/// Where log delivery writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Bucket(String),
    LogGroup(String),
}

/// One statement log delivery needs for one destination of the spec.
#[derive(Clone, Debug)]
pub struct Need {
    /// The destination's key in the spec.
    pub destination: String,
    pub target: Target,
    pub destination_arn: String,
    pub source: Source,
    pub statement: Statement,
    /// The destination in the spec, for "defined here".
    pub defined_at: Option<Location>,
}

impl Need {
    fn kind(&self) -> Kind {
        match self.target {
            Target::Bucket(_) => Kind::Bucket,
            Target::LogGroup(_) => Kind::Logs,
        }
    }
    fn sid(&self) -> &str {
        self.statement.sid.as_deref().unwrap_or_default()
    }
    fn what(&self) -> String {
        match &self.target {
            Target::Bucket(b) => format!("destination `{}` (bucket `{b}`)", self.destination),
            Target::LogGroup(g) => format!("destination `{}` (log group `{g}`)", self.destination),
        }
    }
    fn pairs(&self) -> Vec<(&Name, &Name)> {
        let s = &self.statement;
        s.action
            .names
            .iter()
            .flat_map(|a| s.resource.names.iter().map(move |r| (a, r)))
            .collect()
    }
    fn request<'a>(&'a self, action: &'a Name) -> Request<'a> {
        Request {
            source: &self.source,
            action: &action.canon,
        }
    }
}

/// The statements log delivery needs on `bucket`, if the spec logs to it (aws-facts §1(c), S3).
pub fn bucket_needs(model: &Model, sources: &Sources, bucket: &str) -> Option<Vec<Need>> {
    model.deployments.iter().find_map(|dep| {
        let policies = plan::for_deployment(dep);
        let b = policies.buckets.iter().find(|b| b.bucket == bucket)?;
        let needs = ld::s3_statements(&b.destination.arn, &policies.source)
            .iter()
            .map(|s| {
                need(
                    b.destination,
                    Target::Bucket(bucket.to_owned()),
                    &policies.source,
                    s,
                    sources,
                )
            })
            .collect();
        Some(needs)
    })
}

/// The statement log delivery needs on each log group of the spec, created or existing
/// (aws-facts §1(c), CloudWatch Logs).
pub fn log_group_needs(model: &Model, sources: &Sources) -> Vec<Need> {
    let mut out = Vec::new();
    for dep in &model.deployments {
        let source = plan::for_deployment(dep).source;
        for d in &dep.destinations {
            // Log groups only Lex bots write to get no log-delivery statement (policy::lex).
            if super::lex::bots_only(dep, &d.key) {
                continue;
            }
            if let DestinationKind::CloudWatchLogs { log_group, .. } = &d.kind {
                let s = ld::cwl_statement(vec![ld::log_streams_arn(&d.arn)], &source);
                out.push(need(
                    d,
                    Target::LogGroup(log_group.clone()),
                    &source,
                    &s,
                    sources,
                ));
            }
        }
    }
    out
}

fn need(
    d: &crate::model::Destination,
    target: Target,
    source: &Source,
    statement: &super::document::Statement,
    sources: &Sources,
) -> Need {
    Need {
        destination: d.key.clone(),
        target,
        destination_arn: d.arn.clone(),
        source: source.clone(),
        statement: normalize::from_typed(statement),
        defined_at: sources.locate(d.origin.file, &d.origin.pointer, Anchor::Key),
    }
}

/// What was learned about one statement of the policies, across every need.
#[derive(Default)]
struct Judgement {
    /// Destinations it grants log delivery to.
    grants_to: BTreeSet<String>,
    /// What it grants beyond the need.
    beyond: Vec<String>,
    /// Confused-deputy condition keys it lacks.
    deputy_missing: BTreeSet<&'static str>,
    /// Reported as narrower than a need.
    narrower: bool,
    /// A destination to name in the confused-deputy help.
    example: Option<(String, Source)>,
}

impl Judgement {
    fn add_beyond(&mut self, items: Vec<String>) {
        for item in items {
            if !self.beyond.contains(&item) {
                self.beyond.push(item);
            }
        }
    }
}

/// Verifies the documents of one kind (one bucket's policy, or all CloudWatch Logs policies)
/// against what `needs` asks of them.
pub fn verify(needs: &[Need], documents: &[Document]) -> Vec<Diagnostic> {
    let all: Vec<&Located> = documents.iter().flat_map(|d| &d.statements).collect();
    let anchor = documents.first().map(|d| d.anchor.clone());
    let kind = needs.first().map_or(Kind::Bucket, Need::kind);
    let mut out = Vec::new();
    // AWS's own append fails on a policy with NotAction or NotPrincipal (aws-facts §1(c), S3);
    // chatlog does not reason about what such a statement grants.
    let usable: Vec<bool> = all
        .iter()
        .map(|l| !(l.statement.not_principal || l.statement.action.negated))
        .collect();
    for (l, ok) in all.iter().zip(&usable) {
        if !ok {
            out.push(negation(l));
        }
    }
    let mut judged: BTreeMap<usize, Judgement> = BTreeMap::new();
    for need in needs {
        check_need(need, &all, &usable, anchor.as_ref(), &mut judged, &mut out);
    }
    for (i, l) in all.iter().enumerate() {
        if usable.get(i) == Some(&true) && l.statement.effect == Effect::Deny {
            out.extend(deny(l, needs));
        }
    }
    for (i, l) in all.iter().enumerate() {
        if usable.get(i) != Some(&true) {
            continue;
        }
        let j = judged.remove(&i).unwrap_or_default();
        out.extend(report(l, &j, kind));
    }
    name_subjects(&mut out, needs, &all);
    crate::diagnostic::sort(&mut out);
    out
}

/// Names what each finding is about, for baselines: the deployment and the bucket (or the log
/// resource policies), and the message with statements without Sid spelled out rather than
/// numbered, so that reordering a policy's statements keeps the name.
fn name_subjects(out: &mut [Diagnostic], needs: &[Need], all: &[&Located]) {
    let deployments: BTreeSet<String> = needs
        .iter()
        .map(|n| format!("{}/{}", n.source.account, n.source.region))
        .collect();
    let deployment = match (deployments.first(), deployments.len()) {
        (Some(only), 1) => only.clone(),
        _ => String::new(),
    };
    let resource = match needs.first().map(|n| &n.target) {
        Some(Target::Bucket(bucket)) => format!("bucket {bucket}"),
        _ => "CloudWatch Logs resource policies".to_owned(),
    };
    // Longest labels first: "statement 12" must not be read as "statement 1" and a `2`.
    let mut labels: Vec<(&str, &str)> = all
        .iter()
        .map(|l| (l.label.as_str(), l.identity.as_str()))
        .filter(|(label, identity)| label != identity)
        .collect();
    labels.sort_by_key(|(label, _)| std::cmp::Reverse(label.len()));
    for d in out.iter_mut() {
        let mut key = d.message.clone();
        for (label, identity) in &labels {
            key = replace_label(&key, label, identity);
        }
        d.subject = Some(crate::diagnostic::Subject {
            deployment: deployment.clone(),
            resource: resource.clone(),
            key,
        });
    }
}

/// Replaces `label` where it stands as a whole label (not followed by another digit).
fn replace_label(text: &str, label: &str, identity: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(label) {
        let (before, from) = rest.split_at(at);
        let after = from.get(label.len()..).unwrap_or_default();
        out.push_str(before);
        if after.starts_with(|c: char| c.is_ascii_digit()) {
            out.push_str(label);
        } else {
            out.push_str(identity);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn check_need(
    need: &Need,
    all: &[&Located],
    usable: &[bool],
    anchor: Option<&Location>,
    judged: &mut BTreeMap<usize, Judgement>,
    out: &mut Vec<Diagnostic>,
) {
    let pairs = need.pairs();
    let mut covered = vec![false; pairs.len()];
    let allows = |i: &usize| {
        usable.get(*i) == Some(&true)
            && all
                .get(*i)
                .is_some_and(|l| l.statement.effect == Effect::Allow)
    };
    for (i, l) in all.iter().enumerate() {
        if !allows(&i) || !l.statement.principal.includes_service(DELIVERY_PRINCIPAL) {
            continue;
        }
        let s = &l.statement;
        let mut grants = false;
        for ((a, r), done) in pairs.iter().zip(covered.iter_mut()) {
            if grants_action(s, a)
                && covers_resource(s, r)
                && request::eval_all(&s.condition, &need.request(a)).0 == Truth::True
            {
                *done = true;
                grants = true;
            }
        }
        if grants {
            let j = judged.entry(i).or_default();
            j.grants_to.insert(need.destination.clone());
            j.add_beyond(beyond(s, need));
            for key in deputy_missing(s) {
                j.deputy_missing.insert(key);
            }
            if j.example.is_none() {
                j.example = Some((need.destination.clone(), need.source.clone()));
            }
        }
    }
    if covered.iter().all(|c| *c) {
        return;
    }
    let uncovered: Vec<(&Name, &Name)> = pairs
        .iter()
        .zip(&covered)
        .filter(|(_, c)| !**c)
        .map(|(p, _)| *p)
        .collect();
    // The statement meant for this need that comes closest: same Sid, or log delivery's
    // principal with a needed action on this destination.
    let best = (0..all.len())
        .filter(allows)
        .filter_map(|i| all.get(i).map(|l| (i, *l)))
        .filter(|(_, l)| related(&l.statement, need))
        .max_by_key(|(i, l)| {
            let granted = pairs
                .iter()
                .filter(|(a, r)| grants_action(&l.statement, a) && covers_resource(&l.statement, r))
                .count();
            // Ties go to the earlier statement.
            (granted, std::cmp::Reverse(*i))
        });
    match best {
        Some((i, l)) => {
            judged.entry(i).or_default().narrower = true;
            out.push(narrower(l, need, &uncovered));
        }
        None => out.push(missing(need, &uncovered, anchor)),
    }
}

fn grants_action(s: &Statement, action: &Name) -> bool {
    s.action
        .names
        .iter()
        .any(|g| glob::matches(&g.canon, &action.canon))
}

/// Whether the statement's resources take in all of `needed`.
fn covers_resource(s: &Statement, needed: &Name) -> bool {
    if s.resource.negated {
        !s.resource
            .names
            .iter()
            .any(|x| glob::intersects(&x.canon, &needed.canon))
    } else {
        s.resource
            .names
            .iter()
            .any(|g| glob::covers(&g.canon, &needed.canon))
    }
}

fn related(s: &Statement, need: &Need) -> bool {
    if s.sid.as_deref() == Some(need.sid()) {
        return true;
    }
    // Named explicitly: a grant to `*` (say, uploads by the account's own users) lets log
    // delivery in too, but was not written for it.
    let delivery = matches!(&s.principal, Principal::Of(_))
        && s.principal.includes_service(DELIVERY_PRINCIPAL);
    let acts = need
        .statement
        .action
        .names
        .iter()
        .any(|a| grants_action(s, a));
    let arn = &need.destination_arn;
    let on_destination = !s.resource.negated
        && s.resource.names.iter().any(|g| {
            g.canon == *arn
                || g.canon.starts_with(&format!("{arn}/"))
                || g.canon.starts_with(&format!("{arn}:"))
                || need
                    .statement
                    .resource
                    .names
                    .iter()
                    .any(|r| glob::intersects(&g.canon, &r.canon))
        });
    delivery && acts && on_destination
}

/// The actions a log-delivery statement may carry: the needed ones, plus `s3:ListBucket`, which
/// AWS suggests adding to `AWSLogDeliveryAclCheck` (aws-facts §1(c), S3).
fn allowed_actions(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Bucket => &["s3:getbucketacl", "s3:listbucket", "s3:putobject"],
        Kind::Logs => &["logs:createlogstream", "logs:putlogevents"],
    }
}

/// A resource as broad as CloudWatch Logs itself makes it: `log-group:NAME:*` reaches only the
/// group's streams (names cannot contain `:`, aws-facts §1(a) LogGroupName), and CloudWatch Logs
/// switches to `/aws/vendedlogs/*` on its own when its policy fills up (aws-facts §1(c)).
fn as_aws_writes_it(granted: &str, need: &Need) -> bool {
    let Target::LogGroup(group) = &need.target else {
        return false;
    };
    let vended = format!(
        "arn:{}:logs:{}:{}:log-group:/aws/vendedlogs/*",
        need.source.partition, need.source.region, need.source.account
    );
    granted == format!("{}:*", need.destination_arn)
        || (group.starts_with("/aws/vendedlogs/") && granted == vended)
}

/// What a statement that grants `need` grants beyond it.
fn beyond(s: &Statement, need: &Need) -> Vec<String> {
    let mut out = Vec::new();
    match &s.principal {
        Principal::Anyone => out.push("principal `*`".to_owned()),
        Principal::Of(map) => {
            for (kind, names) in map {
                for n in names {
                    if !(kind == "Service" && n.canon == DELIVERY_PRINCIPAL) {
                        out.push(format!("principal `{}`", n.text));
                    }
                }
            }
        }
        Principal::Missing => {}
    }
    let allowed = allowed_actions(need.kind());
    for g in &s.action.names {
        if glob::is_pattern(&g.canon) || !allowed.contains(&g.canon.as_str()) {
            out.push(format!("action `{}`", g.text));
        }
    }
    if s.resource.negated {
        out.push("`NotResource` (every resource but those listed)".to_owned());
    } else {
        for g in &s.resource.names {
            for r in &need.statement.resource.names {
                if g != r && glob::covers(&g.canon, &r.canon) && !as_aws_writes_it(&g.canon, need) {
                    out.push(format!("resource `{}` reaches beyond `{}`", g.text, r.text));
                }
            }
        }
    }
    for t in s.tests_on("aws:sourceaccount") {
        for v in &t.values {
            if glob::is_pattern(&v.canon) && glob::matches(&v.canon, &need.source.account) {
                out.push(format!("condition `{}` `{}`", t.key.text, v.text));
            }
        }
    }
    let source_arn = request::source_arn(&need.source);
    for t in s.tests_on("aws:sourcearn") {
        for v in &t.values {
            if v.canon != source_arn && glob::covers(&v.canon, &source_arn) {
                out.push(format!(
                    "condition `{}` `{}` reaches beyond `{source_arn}`",
                    t.key.text, v.text
                ));
            }
        }
    }
    // The write statement requires the bucket-owner-full-control ACL (aws-facts §1(c), S3).
    let needs_acl = need.statement.tests_on("s3:x-amz-acl").next().is_some();
    if needs_acl && s.tests_on("s3:x-amz-acl").next().is_none() {
        out.push("no `s3:x-amz-acl` = `bucket-owner-full-control` condition".to_owned());
    }
    out
}

/// The confused-deputy keys every log-delivery statement tests (aws-facts §1(c)).
fn deputy_missing(s: &Statement) -> Vec<&'static str> {
    [
        ("aws:sourceaccount", "aws:SourceAccount"),
        ("aws:sourcearn", "aws:SourceArn"),
    ]
    .into_iter()
    .filter(|(key, _)| s.tests_on(key).next().is_none())
    .map(|(_, shown)| shown)
    .collect()
}

fn backticked<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "`a`", "`a` or `b`", "`a`, `b` or `c`".
fn either<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let mut list: Vec<String> = items.into_iter().map(|s| format!("`{s}`")).collect();
    match list.pop() {
        None => String::new(),
        Some(last) if list.is_empty() => last,
        Some(last) => format!("{} or {last}", list.join(", ")),
    }
}

/// "`s3:PutObject` on `arn:...`", grouped by resource.
fn pairs_text(pairs: &[(&Name, &Name)]) -> String {
    let mut by_resource: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, r) in pairs {
        by_resource.entry(&r.text).or_default().push(&a.text);
    }
    by_resource
        .into_iter()
        .map(|(r, actions)| format!("{} on `{r}`", backticked(actions)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What `need` asks, in one line, for help texts.
fn need_text(need: &Need) -> String {
    let s = &need.statement;
    format!(
        "`{}` needs {} on {} for `{DELIVERY_PRINCIPAL}`, with `aws:SourceAccount` `{}` and `aws:SourceArn` `{}`",
        need.sid(),
        backticked(s.action.names.iter().map(|n| n.text.as_str())),
        backticked(s.resource.names.iter().map(|n| n.text.as_str())),
        need.source.account,
        request::source_arn(&need.source)
    )
}

fn add_hint(need: &Need) -> String {
    match &need.target {
        Target::Bucket(b) => format!(
            "{}; `chatlog policy merge --spec SPEC --bucket {b} --into FILE` adds it",
            need_text(need)
        ),
        Target::LogGroup(_) => format!(
            "{}; `chatlog render --target policies` writes it",
            need_text(need)
        ),
    }
}

fn missing(need: &Need, uncovered: &[(&Name, &Name)], anchor: Option<&Location>) -> Diagnostic {
    Diagnostic::new(
        Rule::PolicyStatementMissing,
        format!(
            "{}: the policy lacks `{}`: nothing grants log delivery {}",
            need.what(),
            need.sid(),
            pairs_text(uncovered)
        ),
    )
    .at(anchor.cloned())
    .help(add_hint(need))
    .related("the destination is defined here", need.defined_at.clone())
}

fn narrower(l: &Located, need: &Need, uncovered: &[(&Name, &Name)]) -> Diagnostic {
    let s = &l.statement;
    let mut reasons: Vec<String> = Vec::new();
    if !s.principal.includes_service(DELIVERY_PRINCIPAL) {
        reasons.push(format!("its principal is not `{DELIVERY_PRINCIPAL}`"));
    }
    let mut push = |r: String| {
        if !reasons.contains(&r) {
            reasons.push(r);
        }
    };
    for (a, r) in uncovered {
        if !grants_action(s, a) {
            push(format!("no `{}`", a.text));
        }
        if !covers_resource(s, r) {
            push(format!("not on `{}`", r.text));
        }
        if grants_action(s, a) {
            for (t, truth) in request::eval_all(&s.condition, &need.request(a)).1 {
                push(match truth {
                    Truth::False => format!(
                        "its `{}` test on `{}` rules log delivery out",
                        t.operator, t.key.text
                    ),
                    _ => format!(
                        "its `{}` test on `{}` may not hold for log delivery",
                        t.operator, t.key.text
                    ),
                });
            }
        }
    }
    Diagnostic::new(
        Rule::PolicyStatementNarrower,
        format!(
            "{}: {} grants log delivery less than it needs: {}",
            need.what(),
            l.label,
            reasons.join("; ")
        ),
    )
    .at(Some(l.location.clone()))
    .help(format!(
        "{}; `chatlog render --target policies` writes the exact statement",
        need_text(need)
    ))
    .related("the destination is defined here", need.defined_at.clone())
}

fn negation(l: &Located) -> Diagnostic {
    let s = &l.statement;
    let which: Vec<&str> = [
        (s.action.negated, "NotAction"),
        (s.not_principal, "NotPrincipal"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| name)
    .collect();
    Diagnostic::new(
        Rule::PolicyNegation,
        format!(
            "{} uses {}, so AWS cannot add its log-delivery statements to this policy",
            l.label,
            backticked(which)
        ),
    )
    .at(Some(l.location.clone()))
    .help("rewrite the statement with `Action` / `Principal`; chatlog does not judge what a negated statement grants")
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Block {
    Maybe,
    Surely,
}

/// A Deny that takes effect on log delivery's requests. chatlog's own TLS-only deny does not:
/// log delivery uses TLS, so `aws:SecureTransport` = `false` never holds for it.
fn deny(l: &Located, needs: &[Need]) -> Option<Diagnostic> {
    let s = &l.statement;
    if !s.principal.includes_service(DELIVERY_PRINCIPAL) {
        return None;
    }
    let mut worst: Option<(Block, String)> = None;
    for need in needs {
        for (a, r) in need.pairs() {
            if !grants_action(s, a) {
                continue;
            }
            let whole = covers_resource(s, r);
            let part = whole
                || if s.resource.negated {
                    !s.resource
                        .names
                        .iter()
                        .any(|x| glob::covers(&x.canon, &r.canon))
                } else {
                    s.resource
                        .names
                        .iter()
                        .any(|g| glob::intersects(&g.canon, &r.canon))
                };
            let (truth, open) = request::eval_all(&s.condition, &need.request(a));
            if !part || truth == Truth::False {
                continue;
            }
            let block = if whole && truth == Truth::True {
                Block::Surely
            } else {
                Block::Maybe
            };
            if worst.as_ref().is_some_and(|(b, _)| *b >= block) {
                continue;
            }
            let mut text = format!("`{}` on `{}`, for {}", a.text, r.text, need.what());
            if !whole {
                text.push_str(", part of that resource");
            }
            let unknown: Vec<String> = open
                .iter()
                .map(|(t, _)| format!("`{}` on `{}`", t.operator, t.key.text))
                .collect();
            if !unknown.is_empty() {
                text.push_str(&format!(
                    "; chatlog cannot tell whether {} holds for log delivery",
                    unknown.join(" and ")
                ));
            }
            worst = Some((block, text));
        }
    }
    let (block, text) = worst?;
    let verb = match block {
        Block::Surely => "denies",
        Block::Maybe => "may deny",
    };
    Some(
        Diagnostic::new(
            Rule::PolicyDenyBlocks,
            format!("{} {verb} log delivery {text}", l.label),
        )
        .at(Some(l.location.clone()))
        .help(format!(
            "log delivery writes as `{DELIVERY_PRINCIPAL}` over TLS; narrow the Deny or exempt log delivery from it (a `Bool` `aws:SecureTransport` `false` deny is fine)"
        )),
    )
}

fn destinations(names: &BTreeSet<String>) -> String {
    let list = backticked(names.iter().map(String::as_str));
    if names.len() == 1 {
        format!("destination {list}")
    } else {
        format!("destinations {list}")
    }
}

/// The shape of a log-delivery statement, for statements that grant no destination of the
/// spec but carry AWS's Sid prefix.
fn shape_deviations(s: &Statement, kind: Kind) -> Vec<String> {
    let mut out = Vec::new();
    if s.effect == Effect::Deny {
        out.push("it denies".to_owned());
    }
    match &s.principal {
        Principal::Anyone => out.push("principal `*`".to_owned()),
        Principal::Missing => out.push("no principal".to_owned()),
        Principal::Of(map) => {
            let only_delivery = map.len() == 1
                && map.get("Service").is_some_and(|names| {
                    names.len() == 1 && names.iter().all(|n| n.canon == DELIVERY_PRINCIPAL)
                });
            if !only_delivery {
                for names in map.values() {
                    for n in names {
                        if n.canon != DELIVERY_PRINCIPAL {
                            out.push(format!("principal `{}`", n.text));
                        }
                    }
                }
            }
        }
    }
    let allowed = allowed_actions(kind);
    for g in &s.action.names {
        if glob::is_pattern(&g.canon) || !allowed.contains(&g.canon.as_str()) {
            out.push(format!("action `{}`", g.text));
        }
    }
    if s.resource.negated {
        out.push("`NotResource` (every resource but those listed)".to_owned());
    }
    for g in &s.resource.names {
        if !s.resource.negated && g.canon == "*" {
            out.push("resource `*`".to_owned());
        }
    }
    let missing = deputy_missing(s);
    if !missing.is_empty() {
        out.push(format!("no {} condition", either(missing)));
    }
    out
}

fn report(l: &Located, j: &Judgement, kind: Kind) -> Vec<Diagnostic> {
    let s = &l.statement;
    let mut out = Vec::new();
    let look_alike = s
        .sid
        .as_deref()
        .is_some_and(|sid| sid.starts_with(LOOK_ALIKE_PREFIX));
    if !j.grants_to.is_empty() && !j.beyond.is_empty() {
        let (rule, verb) = if look_alike {
            (
                Rule::PolicyLookAlike,
                "looks like AWS's log-delivery statement but grants more than log delivery needs",
            )
        } else {
            (
                Rule::PolicyStatementBroader,
                "grants log delivery more than it needs",
            )
        };
        out.push(
            Diagnostic::new(
                rule,
                format!(
                    "{} {verb} ({}): {}",
                    l.label,
                    destinations(&j.grants_to),
                    j.beyond.join("; ")
                ),
            )
            .at(Some(l.location.clone()))
            .help("grant `delivery.logs.amazonaws.com` only the needed actions on the log prefix, under both source conditions; `chatlog render --target policies` writes the exact statements"),
        );
    } else if look_alike && j.grants_to.is_empty() && !j.narrower {
        let deviations = shape_deviations(s, kind);
        if !deviations.is_empty() {
            out.push(
                Diagnostic::new(
                    Rule::PolicyLookAlike,
                    format!(
                        "{} looks like AWS's log-delivery statement but is not shaped like one: {}",
                        l.label,
                        deviations.join("; ")
                    ),
                )
                .at(Some(l.location.clone()))
                .help("AWS's statements of that name allow only `delivery.logs.amazonaws.com` the log-delivery actions, under `aws:SourceAccount` and `aws:SourceArn` conditions; rename this statement or reshape it so the name does not hide what it does"),
            );
        }
    }
    if !j.deputy_missing.is_empty() {
        let (account, arn) = j.example.as_ref().map_or_else(
            || {
                (
                    "ACCOUNT".to_owned(),
                    "arn:aws:logs:REGION:ACCOUNT:*".to_owned(),
                )
            },
            |(_, src)| (src.account.clone(), request::source_arn(src)),
        );
        out.push(
            Diagnostic::new(
                Rule::PolicyConfusedDeputy,
                format!(
                    "{} lets log delivery in without testing {} ({})",
                    l.label,
                    either(j.deputy_missing.iter().copied()),
                    destinations(&j.grants_to)
                ),
            )
            .at(Some(l.location.clone()))
            .help(format!(
                "add `\"StringEquals\": {{\"aws:SourceAccount\": \"{account}\"}}` and `\"ArnLike\": {{\"aws:SourceArn\": \"{arn}\"}}`; without them log delivery writes here on behalf of any account (the confused-deputy problem)"
            )),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn a_numbered_label_is_replaced_only_where_it_stands_whole() {
        let text = "statement 12 and statement 1; statement 1 of policy `p`";
        assert_eq!(
            replace_label(text, "statement 1", "statement {S}"),
            "statement 12 and statement {S}; statement {S} of policy `p`"
        );
    }

    fn source() -> Source {
        Source {
            partition: "aws".into(),
            account: "111122223333".into(),
            region: "us-west-2".into(),
        }
    }

    fn bucket_needs() -> Vec<Need> {
        ld::s3_statements("arn:aws:s3:::b", &source())
            .iter()
            .map(|s| Need {
                destination: "archive".into(),
                target: Target::Bucket("b".into()),
                destination_arn: "arn:aws:s3:::b".into(),
                source: source(),
                statement: normalize::from_typed(s),
                defined_at: None,
            })
            .collect()
    }

    fn run(policy: Value) -> Vec<Diagnostic> {
        let text = serde_json::to_string_pretty(&policy).unwrap();
        let file = input::read("p.json", text.as_bytes(), Kind::Bucket).unwrap();
        verify(&bucket_needs(), &file.documents)
    }

    fn rules(d: &[Diagnostic]) -> Vec<&'static str> {
        d.iter().map(|d| d.rule.id()).collect()
    }

    fn needed() -> Value {
        serde_json::to_value(ld::s3_managed_bucket_policy("arn:aws:s3:::b", &source())).unwrap()
    }

    #[test]
    fn the_rendered_policy_is_clean() {
        assert_eq!(rules(&run(needed())), Vec::<&str>::new());
    }

    #[test]
    fn an_empty_policy_lacks_both_statements() {
        let d = run(json!({"Version": "2012-10-17", "Statement": []}));
        assert_eq!(rules(&d), ["CL070", "CL070"]);
        assert!(
            d[0].message.contains("`AWSLogDeliveryAclCheck`"),
            "{}",
            d[0].message
        );
        assert!(
            d[1].message
                .contains("`s3:PutObject` on `arn:aws:s3:::b/AWSLogs/111122223333/*`")
        );
    }

    fn with_statements(statements: Value) -> Value {
        let mut p = needed();
        p["Statement"] = statements;
        p
    }

    fn write(extra: Value) -> Value {
        let mut w = needed()["Statement"][1].clone();
        for (k, v) in extra.as_object().unwrap() {
            w[k] = v.clone();
        }
        w
    }

    #[test]
    fn an_empty_file_is_no_policy() {
        let file = input::read("p.json", b"  \n", Kind::Bucket).unwrap();
        let d = verify(&bucket_needs(), &file.documents);
        assert_eq!(rules(&d), ["CL070", "CL070"]);
        let at = d[0].location.as_ref().unwrap();
        assert_eq!((at.line, at.column), (1, 1));
    }

    #[test]
    fn other_sources_next_to_ours_are_not_broader() {
        let acl = needed()["Statement"][0].clone();
        let w = write(json!({
            "Resource": ["arn:aws:s3:::b/AWSLogs/444455556666/*", "arn:aws:s3:::b/AWSLogs/111122223333/*"],
            "Condition": {
                "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": ["444455556666", "111122223333"]},
                "ArnLike": {"aws:SourceArn": ["arn:aws:logs:eu-west-1:444455556666:*", "arn:aws:logs:us-west-2:111122223333:*"]}
            }
        }));
        assert!(run(with_statements(json!([acl, w]))).is_empty());
    }

    #[test]
    fn a_wildcard_source_account_is_broader() {
        let acl = needed()["Statement"][0].clone();
        let w = write(json!({"Condition": {
            "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"},
            "StringLike": {"aws:SourceAccount": "*"},
            "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-west-2:111122223333:*"}
        }}));
        let d = run(with_statements(json!([acl, w])));
        assert_eq!(rules(&d), ["CL074"]);
        assert!(
            d[0].message.contains("condition `aws:SourceAccount` `*`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn a_deny_on_part_of_the_prefix_may_block() {
        let mut statements = needed()["Statement"].as_array().unwrap().clone();
        statements.push(
            json!({"Sid": "NoExecutables", "Effect": "Deny", "Principal": "*",
            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*.exe"}),
        );
        statements.push(
            json!({"Sid": "NoPrivate", "Effect": "Deny", "Principal": "*",
            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/private/*"}),
        );
        let d = run(with_statements(Value::Array(statements)));
        assert_eq!(rules(&d), ["CL075"]);
        assert!(
            d[0].message
                .starts_with("statement `NoExecutables` may deny"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("part of that resource"));
    }

    #[test]
    fn not_resource_grants_are_broader_and_deny_by_exclusion() {
        let acl = needed()["Statement"][0].clone();
        let w = json!({"Sid": "Write", "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::b/private/*",
            "Condition": needed()["Statement"][1]["Condition"].clone()});
        let d = run(with_statements(json!([acl, w])));
        assert_eq!(rules(&d), ["CL072"]);
        assert!(d[0].message.contains("`NotResource`"));
        let mut statements = needed()["Statement"].as_array().unwrap().clone();
        statements.push(
            json!({"Sid": "OnlyPrivate", "Effect": "Deny", "Principal": "*",
            "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::b/private/*"}),
        );
        let d = run(with_statements(Value::Array(statements)));
        assert_eq!(rules(&d), ["CL075"]);
        assert!(
            d[0].message.contains("denies log delivery `s3:PutObject`"),
            "{}",
            d[0].message
        );
    }

    fn log_need(group: &str) -> Need {
        let arn = format!("arn:aws:logs:us-west-2:111122223333:log-group:{group}");
        Need {
            destination: "tail".into(),
            target: Target::LogGroup(group.into()),
            statement: normalize::from_typed(&ld::cwl_statement(
                vec![ld::log_streams_arn(&arn)],
                &source(),
            )),
            destination_arn: arn,
            source: source(),
            defined_at: None,
        }
    }

    fn run_logs(group: &str, resource: &str) -> Vec<Diagnostic> {
        let mut s =
            serde_json::to_value(ld::cwl_statement(vec![resource.into()], &source())).unwrap();
        s["Sid"] = json!("Mine");
        let text = json!({ "Statement": [s] }).to_string();
        let file = input::read("l.json", text.as_bytes(), Kind::Logs).unwrap();
        verify(&[log_need(group)], &file.documents)
    }

    #[test]
    fn log_group_resources_as_cloudwatch_logs_writes_them_are_not_broader() {
        let g = "arn:aws:logs:us-west-2:111122223333:log-group:";
        assert!(run_logs("/ivs/tail", &format!("{g}/ivs/tail:*")).is_empty());
        assert!(run_logs("/aws/vendedlogs/tail", &format!("{g}/aws/vendedlogs/*")).is_empty());
        // The vended-logs wildcard is AWS's own only for groups under it.
        assert_eq!(rules(&run_logs("/ivs/tail", &format!("{g}*"))), ["CL072"]);
        // The group itself, without its streams, is too narrow.
        assert_eq!(
            rules(&run_logs("/ivs/tail", &format!("{g}/ivs/tail"))),
            ["CL071"]
        );
    }

    #[test]
    fn a_grant_to_anyone_is_not_the_statement_meant_for_log_delivery() {
        let acl = needed()["Statement"][0].clone();
        let uploads = json!({"Sid": "OwnUploads", "Effect": "Allow", "Principal": "*",
            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}});
        let d = run(with_statements(json!([acl, uploads])));
        assert_eq!(rules(&d), ["CL070"], "{d:#?}");
    }

    #[test]
    fn one_statement_may_grant_both_needs() {
        let mut p = needed();
        let combined = json!({
            "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["s3:GetBucketAcl", "s3:PutObject"],
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/AWSLogs/111122223333/*"],
            "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}, "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-west-2:111122223333:*"}}
        });
        p["Statement"] = json!([combined]);
        // The ACL condition is missing, which is looser than the write statement.
        let d = run(p);
        assert_eq!(rules(&d), ["CL072"]);
        assert!(d[0].message.contains("s3:x-amz-acl"), "{}", d[0].message);
    }
}
