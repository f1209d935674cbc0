//! Shared by the fuzz targets: a spec generator for structured fuzzing ([`generate`]) and the
//! invariants every target checks ([`check`]). See the README's "Hardening" section for how to
//! run them.

pub mod check;
pub mod generate;
pub mod mutate;
pub mod readback;

use std::fmt;

use arbitrary::{Arbitrary, Unstructured};

/// A generated spec; its `Debug` is the spec text, so `cargo fuzz fmt` prints the file that
/// reproduces a finding (to keep as a regression test under tests/).
pub struct SpecInput(pub generate::Spec);

impl<'a> Arbitrary<'a> for SpecInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        generate::Spec::arbitrary(u).map(SpecInput)
    }
}

impl fmt::Debug for SpecInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "# {}", self.0.file_name())?;
        f.write_str(&String::from_utf8_lossy(&self.0.to_bytes()))
    }
}

/// A generated spec with a few values replaced by arbitrary ones (wrong types, unknown keys,
/// dangling references, values outside the rules), for the validation target.
pub struct MutatedInput {
    pub name: &'static str,
    pub bytes: Vec<u8>,
}

impl<'a> Arbitrary<'a> for MutatedInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let spec = generate::Spec::arbitrary(u)?;
        let mut value = spec.to_value();
        for _ in 0..u.int_in_range(0..=4u8)? {
            mutate::mutate(u, &mut value)?;
        }
        Ok(MutatedInput {
            name: spec.file_name(),
            bytes: generate::write(&value, spec.syntax, spec.bom, spec.crlf),
        })
    }
}

impl fmt::Debug for MutatedInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "# {}", self.name)?;
        f.write_str(&String::from_utf8_lossy(&self.bytes))
    }
}
