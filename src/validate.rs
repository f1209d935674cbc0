//! Load, check and resolve a spec in one call: what `validate` runs and what every later command
//! starts from.

use crate::diagnostic::{self, Diagnostic};
use crate::model::{self, Model};
use crate::report::Summary;
use crate::spec::load::{self, Input};
use crate::spec::source::Sources;

pub struct Validation {
    pub sources: Sources,
    /// Sorted by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// The resolved model, when the spec has no errors.
    pub model: Option<Model>,
    pub summary: Summary,
    /// What the spec's rooms left when they moved into the model, kept only to be dropped with
    /// the rest: a command that exits next drops none of it (the binary's `done_with`), where
    /// dropping it at once, room by room and half of it into the heap of the thread that read
    /// it, was 8% of a 5,000-room render (issue 17).
    _spent: model::Spent,
}

impl Validation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
    pub fn has_warnings(&self) -> bool {
        self.diagnostics.iter().any(|d| !d.is_error())
    }
}

pub fn validate(inputs: Vec<Input>) -> Validation {
    let files = inputs.len();
    let mut loaded = load::load(inputs);
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    // A spec with errors is dropped here, unresolved.
    let (model, spent) = match loaded.spec.take() {
        Some(spec) if !diagnostics.iter().any(Diagnostic::is_error) => {
            let (model, found, spent) = model::resolve(spec, &loaded.sources);
            diagnostics.extend(found);
            (model, spent)
        }
        _ => (None, model::Spent::default()),
    };
    loaded.sources.release_positions();
    diagnostic::sort(&mut diagnostics);
    let summary = match &model {
        Some(m) => Summary {
            files,
            deployments: m.deployments.len(),
            destinations: m.deployments.iter().map(|d| d.destinations.len()).sum(),
            logging_configurations: m
                .deployments
                .iter()
                .map(|d| d.logging_configurations.len())
                .sum(),
            rooms: m.deployments.iter().map(|d| d.rooms.len()).sum(),
        },
        None => Summary {
            files,
            ..Summary::default()
        },
    };
    Validation {
        sources: loaded.sources,
        diagnostics,
        model,
        summary,
        _spent: spent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each room's name, tags and origin move into the model; what is left of it is held with
    /// the validation, one box a room, emptied of what moved.
    #[test]
    fn rooms_move_into_the_model_and_leave_their_boxes_behind() {
        let text = r#"
version: 1
rooms:
  lobby: { name: main-lobby, logging: [tail], tags: { show: one } }
  stage: { logging: [tail], region: eu-west-1 }
logging_configurations: { tail: { destination: tail } }
destinations: { tail: { cloudwatch_logs: { log_group: /ivs/tail } } }
defaults: { account: "111122223333", region: eu-west-1, tags: { team: live } }
"#;
        let v = validate(vec![Input {
            name: "spec.yaml".to_owned(),
            bytes: text.as_bytes().to_vec(),
        }]);
        assert!(!v.has_errors(), "{:#?}", v.diagnostics);
        let model = v.model.as_ref().unwrap();
        let rooms: Vec<_> = model.deployments.iter().flat_map(|d| &d.rooms).collect();
        assert_eq!(rooms.len(), 2);
        let lobby = rooms.iter().find(|r| r.key == "lobby").unwrap();
        assert_eq!(lobby.name(), "main-lobby");
        assert_eq!(lobby.origin.pointer, "/rooms/lobby");
        assert!(lobby.tags.iter().any(|(k, v)| k == "show" && v == "one"));
        let spent = v._spent.rooms();
        assert_eq!(spent.len(), 2, "one box a room");
        for room in spent {
            assert!(room.value.name.is_none(), "the name moved");
            assert!(room.value.tags.is_empty(), "the tags moved");
            assert!(room.origin.pointer.is_empty(), "the origin moved");
            assert_eq!(
                room.value.logging.len(),
                1,
                "what the model does not take stays"
            );
        }
    }
}
