//! The `audit` section: a CloudTrail trail and its bucket (aws-facts.md §1(i)).

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Rule};
use crate::model::Audit;
use crate::spec::load::Entry;
use crate::spec::source::Anchor;
use crate::spec::types::{self, DestinationKind as SpecKind};

use super::{Placement, Resolver};

impl<'a> Resolver<'a> {
    /// Places the trail (its home region) and checks that its bucket is not also a log
    /// destination: both would need a bucket policy chatlog owns, and each policy replaces the
    /// other (CL041).
    pub(super) fn place_audit(
        &mut self,
        destinations: &BTreeMap<String, (Placement<'a>, &'a Entry<types::Destination>)>,
    ) -> Option<Audit> {
        let spec = self.spec;
        let entry = spec.audit.as_ref()?;
        let (audit, origin) = (&entry.value, &entry.origin);
        self.check_tags(&"the audit trail", origin, &audit.tags);
        let clash = destinations.iter().find(
            |(_, (_, e))| matches!(&e.value.kind, SpecKind::S3(s3) if s3.bucket == audit.s3.bucket),
        );
        if let Some((key, (_, clashing))) = clash {
            let d = Diagnostic::new(
                Rule::SameDestinationTwice,
                format!(
                    "the audit trail writes to bucket `{}`, which destination `{key}` also is",
                    audit.s3.bucket
                ),
            )
            .at(self.at(&origin.child("s3").child("bucket"), Anchor::Value))
            .related(
                format!("destination `{key}` is defined here"),
                self.at(&clashing.origin, Anchor::Key),
            )
            .help("give the trail a bucket of its own: CloudTrail's statements and log delivery's would each need the bucket policy");
            self.push(d);
        }
        let placement = self.place(
            &"the audit trail",
            origin,
            audit.account.as_ref(),
            audit.region.as_ref(),
            None,
        )?;
        Some(Audit {
            account: placement.account.into_owned(),
            region: placement.region.into_owned(),
            trail: audit.trail.to_string(),
            bucket: audit.s3.bucket.to_string(),
            managed: audit.s3.create,
            prefix: audit.prefix.as_ref().map(ToString::to_string),
            multi_region: audit.multi_region.unwrap_or(true),
            tags: super::merged_tags(spec, &audit.tags),
            origin: origin.clone(),
        })
    }
}
