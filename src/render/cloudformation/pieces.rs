//! A split deployment's templates as pieces that the rendering threads take in any order: the
//! base template and each room template of [`CFN_MAX_OUTPUTS`] rooms. A deployment was one
//! piece of work, so a spec of one large deployment rendered its templates on one core, and
//! five equal deployments on two cores went as three against two (issue 17).
//!
//! Each piece is written as the sequential render writes it, and handed over at once. The
//! piece that finishes last settles the deployment from the first event in the sequential
//! order (base template first, then the room templates in turn): none, an error, or a template
//! whose rooms must be halved. A room template's fit is found as it is written, which is what
//! [`fit_rooms`] would find without rendering each chunk a second time to measure it (a chunk
//! whose final text, deploy order included, passes its test passes it without the order too).
//! Pieces after a known event are not rendered, as the sequential render stops there. On a
//! halving, every file the pieces handed over is taken back and the deployment is split again
//! as [`fit_rooms`] measures it. So the files, and the error where there is one, are the
//! sequential render's whatever order the pieces ran in.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use serde_json::{Map, Value};

use crate::model::{Deployment, Room};
use crate::policy::limits::{CFN_MAX_OUTPUTS, CFN_MAX_TEMPLATE_BYTES};
use crate::policy::plan::DeploymentPolicies;

use super::{
    File, RenderError, Sink, Stopped, TemplateFormat, base_text, deploy_order, extension,
    fit_rooms, needs_halving, room_text,
};
use crate::render::put;

/// One deployment's split render, shared by the threads that render its pieces.
pub(crate) struct SplitDeployment<'a, E> {
    dep: &'a Deployment,
    policies: DeploymentPolicies<'a>,
    stem: String,
    bot_outputs: Map<String, Value>,
    format: TemplateFormat,
    /// The rooms of each room template, [`CFN_MAX_OUTPUTS`] each (the last may hold fewer).
    chunks: Vec<Vec<&'a Room>>,
    /// The paths of the base template and the room templates: piece `k` writes `order[k]`.
    order: Vec<String>,
    /// Pieces not finished yet.
    left: AtomicUsize,
    /// The longest room template written so far (0: none yet).
    longest: AtomicUsize,
    /// Which pieces handed their file over.
    handed: Vec<AtomicBool>,
    /// The first event so far in the sequential order, and the piece it happened in.
    first: Mutex<Option<(usize, Event<E>)>>,
}

/// What stops a split deployment's render in the [`CFN_MAX_OUTPUTS`]-room chunks.
enum Event<E> {
    /// A template is too close to the limit: the rooms are halved until each fits.
    Halve,
    /// The render or the sink failed.
    Stop(Stopped<E>),
}

impl<'a, E> SplitDeployment<'a, E> {
    pub(super) fn new(
        dep: &'a Deployment,
        policies: DeploymentPolicies<'a>,
        stem: String,
        bot_outputs: Map<String, Value>,
        format: TemplateFormat,
    ) -> Self {
        let chunks: Vec<Vec<&Room>> = dep
            .rooms
            .chunks(CFN_MAX_OUTPUTS)
            .map(|c| c.iter().collect())
            .collect();
        let order = deploy_order(&stem, extension(format), chunks.len());
        SplitDeployment {
            dep,
            policies,
            stem,
            bot_outputs,
            format,
            left: AtomicUsize::new(order.len()),
            longest: AtomicUsize::new(0),
            handed: order.iter().map(|_| AtomicBool::new(false)).collect(),
            chunks,
            order,
            first: Mutex::new(None),
        }
    }

    /// How many pieces there are: the base template and one per room template.
    pub(crate) fn pieces(&self) -> usize {
        self.order.len()
    }

    /// Renders piece `k` (0 the base template) and hands it to `sink`; the last piece to
    /// finish settles the deployment (see the module). Each piece is to be rendered once.
    pub(crate) fn render_piece<S: Sink<Error = E>>(
        &self,
        k: usize,
        sink: &S,
    ) -> Result<(), Stopped<E>> {
        if !self.stopped_before(k)
            && let Err(event) = self.write(k, sink)
        {
            self.note(k, event);
        }
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.settle(sink)
        } else {
            Ok(())
        }
    }

    /// Every piece in order on the calling thread.
    pub(super) fn render_in_order<S: Sink<Error = E>>(&self, sink: &S) -> Result<(), Stopped<E>> {
        (0..self.pieces()).try_for_each(|k| self.render_piece(k, sink))
    }

    fn first(&self) -> std::sync::MutexGuard<'_, Option<(usize, Event<E>)>> {
        self.first.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stopped_before(&self, k: usize) -> bool {
        self.first().as_ref().is_some_and(|(at, _)| *at < k)
    }

    fn note(&self, k: usize, event: Event<E>) {
        let mut first = self.first();
        if first.as_ref().is_none_or(|(at, _)| k < *at) {
            *first = Some((k, event));
        }
    }

    fn write<S: Sink<Error = E>>(&self, k: usize, sink: &S) -> Result<(), Event<E>> {
        let file = match k.checked_sub(1) {
            // Over the limit, the base template is for the halved split to refuse.
            None => base_text(
                self.dep,
                &self.policies,
                &self.order,
                &self.bot_outputs,
                self.format,
            )
            .map_err(|_| Event::Halve)?,
            Some(chunk) => {
                let (Some(rooms), Some(path)) = (self.chunks.get(chunk), self.order.get(k)) else {
                    return Ok(());
                };
                // Each chunk holds as many rooms as the others (but the last), so its text is
                // about as long: sized by the longest so far, with an eighth to spare, it is
                // written without growing. The first is sized for the longest template there
                // may be: space never written is never resident, and grown by doubling it was
                // copied into 290 KB of fresh pages (issue 17).
                let capacity = match self.longest.load(Ordering::Relaxed) {
                    0 => CFN_MAX_TEMPLATE_BYTES,
                    longest => longest + longest / 8,
                };
                let text = room_text(
                    self.dep,
                    &self.policies,
                    rooms,
                    k + 1,
                    &self.order,
                    self.format,
                    capacity,
                )
                .map_err(|e| Event::Stop(Stopped::Render(e)))?;
                self.longest.fetch_max(text.len(), Ordering::Relaxed);
                if needs_halving(rooms.len(), text.len()) {
                    return Err(Event::Halve);
                }
                // Only a deployment's last chunk can hold a single room, so a room template
                // over the limit is refused as the halving would refuse it.
                if text.len() > CFN_MAX_TEMPLATE_BYTES {
                    return Err(Event::Stop(Stopped::Render(RenderError::TooLarge(
                        path.clone(),
                        text.len(),
                        CFN_MAX_TEMPLATE_BYTES,
                    ))));
                }
                File {
                    path: path.clone(),
                    contents: text,
                }
            }
        };
        put(sink, file).map_err(|e| Event::Stop(Stopped::Sink(e)))?;
        if let Some(handed) = self.handed.get(k) {
            handed.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// Once every piece is finished (see the module).
    fn settle<S: Sink<Error = E>>(&self, sink: &S) -> Result<(), Stopped<E>> {
        match self.first().take() {
            None => Ok(()),
            Some((_, Event::Stop(stopped))) => Err(stopped),
            Some((_, Event::Halve)) => {
                for (path, handed) in self.order.iter().zip(&self.handed) {
                    if handed.load(Ordering::Acquire) {
                        sink.retract(path).map_err(Stopped::Sink)?;
                    }
                }
                let mut halved = Vec::new();
                for rooms in &self.chunks {
                    halved.extend(
                        fit_rooms(self.dep, &self.policies, rooms.clone(), self.format)
                            .map_err(Stopped::Render)?,
                    );
                }
                self.put_halved(&halved, sink)
            }
        }
    }

    /// Hands over the base template, then each room template of `chunks` (as [`fit_rooms`]
    /// halved them, each measured already) as soon as it is written, so that a thread holds one
    /// at a time.
    fn put_halved<S: Sink<Error = E>>(
        &self,
        chunks: &[Vec<&Room>],
        sink: &S,
    ) -> Result<(), Stopped<E>> {
        let (dep, policies, format) = (self.dep, &self.policies, self.format);
        let order = deploy_order(&self.stem, extension(format), chunks.len());
        let base =
            base_text(dep, policies, &order, &self.bot_outputs, format).map_err(Stopped::Render)?;
        put(sink, base).map_err(Stopped::Sink)?;
        // Each chunk holds about as many rooms as the one before, so its text is about as
        // long: sized by the one before, with an eighth to spare, it is written without
        // growing. The first is sized for the longest template there may be: space never
        // written is never resident, and grown by doubling it was copied into 290 KB of fresh
        // pages (issue 17).
        let mut capacity = CFN_MAX_TEMPLATE_BYTES;
        for (i, (rooms, path)) in chunks.iter().zip(order.iter().skip(1)).enumerate() {
            let text = room_text(dep, policies, rooms, i + 2, &order, format, capacity)
                .map_err(Stopped::Render)?;
            if text.len() > CFN_MAX_TEMPLATE_BYTES {
                return Err(Stopped::Render(RenderError::TooLarge(
                    path.clone(),
                    text.len(),
                    CFN_MAX_TEMPLATE_BYTES,
                )));
            }
            capacity = text.len() + text.len() / 8;
            put(
                sink,
                File {
                    path: path.clone(),
                    contents: text,
                },
            )
            .map_err(Stopped::Sink)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::convert::Infallible;

    use super::*;
    use crate::render::cloudformation::split_deployment;

    /// The files a sink holds, by path, as the staging folder holds them: a second put of a
    /// path, or taking back one never put, is a bug here.
    #[derive(Default)]
    struct Held(Mutex<BTreeMap<String, String>>);

    impl Sink for Held {
        type Error = Infallible;

        fn put(&self, file: File) -> Result<Option<String>, Infallible> {
            let mut held = self.0.lock().unwrap();
            assert!(
                held.insert(file.path.clone(), file.contents).is_none(),
                "{} put twice",
                file.path
            );
            Ok(None)
        }

        fn retract(&self, path: &str) -> Result<(), Infallible> {
            let mut held = self.0.lock().unwrap();
            assert!(held.remove(path).is_some(), "{path} taken back, never put");
            Ok(())
        }
    }

    /// 1,000 rooms in one deployment (five room templates of 200 rooms), those in `tagged`
    /// with 20 tags of 250 bytes: 200 such rooms are over the 1 MB limit, 100 are not.
    fn spec(tagged: std::ops::Range<usize>) -> crate::model::Model {
        let mut text = String::from(
            "version: 1\ndefaults:\n  account: \"111122223333\"\n  region: us-east-1\n\
             destinations:\n  archive:\n    s3:\n      bucket: acme-chat-pieces\n      create: true\n\
             logging_configurations:\n  archive:\n    destination: archive\nrooms:\n",
        );
        let long = "v".repeat(250);
        for n in 0..1_000 {
            text.push_str(&format!("  room-{n:04}:\n    logging: [archive]\n"));
            if tagged.contains(&n) {
                text.push_str("    tags:\n");
                for t in 0..20 {
                    text.push_str(&format!("      t{t:02}: {long}\n"));
                }
            }
        }
        let validation = crate::validate(vec![crate::Input {
            name: "pieces.yaml".into(),
            bytes: text.into_bytes(),
        }]);
        validation.model.expect("the spec is valid")
    }

    /// Renders `dep`'s pieces in `order` and answers the files and the rooms in each.
    fn rendered(dep: &Deployment, order: &[usize]) -> BTreeMap<String, String> {
        let split = split_deployment::<Infallible>(dep, TemplateFormat::Yaml)
            .expect("over one template's limits by its counts");
        assert_eq!(split.pieces(), 6);
        let held = Held::default();
        for &k in order {
            split.render_piece(k, &held).unwrap();
        }
        held.0.into_inner().unwrap()
    }

    fn rooms_in(files: &BTreeMap<String, String>) -> Vec<usize> {
        files
            .values()
            .map(|text| text.matches("Type: AWS::IVSChat::Room").count())
            .collect()
    }

    /// Whatever order the pieces run in, and wherever the template that must be halved is, the
    /// files are the sequential render's: every file a piece put before or after the halving
    /// is taken back, and the halved split is written once.
    #[test]
    fn pieces_in_any_order_write_the_sequential_render() {
        let orders: [&[usize]; 4] = [
            &[0, 1, 2, 3, 4, 5],
            &[5, 4, 3, 2, 1, 0],
            &[3, 5, 1, 0, 4, 2],
            &[2, 0, 4, 1, 5, 3],
        ];
        // Room templates by path order (base template last: `...-rooms-NNN` sorts first).
        let cases: [(std::ops::Range<usize>, &[usize]); 4] = [
            (0..0, &[200, 200, 200, 200, 200, 0]),
            (400..600, &[200, 200, 100, 100, 200, 200, 0]),
            (0..200, &[100, 100, 200, 200, 200, 200, 0]),
            (800..1_000, &[200, 200, 200, 200, 100, 100, 0]),
        ];
        for (tagged, rooms) in cases {
            let model = spec(tagged.clone());
            let dep = model.deployments.first().unwrap();
            let in_order = rendered(dep, orders[0]);
            assert_eq!(rooms_in(&in_order), rooms, "tagged rooms {tagged:?}");
            assert!(in_order.values().all(|t| t.len() <= CFN_MAX_TEMPLATE_BYTES));
            for order in &orders[1..] {
                assert!(
                    rendered(dep, order) == in_order,
                    "tagged rooms {tagged:?}, pieces in the order {order:?}"
                );
            }
        }
    }

    /// A sink that refuses the files whose paths end with one of `refused`, until a file is
    /// taken back (the halved split's files are all taken).
    struct Refusing {
        refused: &'static [&'static str],
        taken_back: AtomicBool,
    }

    impl Refusing {
        fn new(refused: &'static [&'static str]) -> Self {
            Refusing {
                refused,
                taken_back: AtomicBool::new(false),
            }
        }
    }

    impl Sink for Refusing {
        type Error = String;

        /// Hands each text back, as the staging folder does.
        fn put(&self, file: File) -> Result<Option<String>, String> {
            let refused = self.refused.iter().any(|end| file.path.ends_with(end));
            if refused && !self.taken_back.load(Ordering::SeqCst) {
                return Err(file.path);
            }
            Ok(Some(file.contents))
        }

        fn retract(&self, _: &str) -> Result<(), String> {
            self.taken_back.store(true, Ordering::SeqCst);
            Ok(())
        }
    }

    /// Where the sink refuses several files, the error is the first in the templates' order,
    /// as the sequential render reports it, whichever piece failed first; and a room template
    /// that must be halved before it wins over an error after it.
    #[test]
    fn the_first_event_in_the_templates_order_settles_the_deployment() {
        let untagged = spec(0..0);
        let dep = untagged.deployments.first().unwrap();
        let halving = spec(200..400);
        let halved = halving.deployments.first().unwrap();
        for order in [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [3, 5, 1, 0, 4, 2]] {
            let split = split_deployment::<String>(dep, TemplateFormat::Yaml).unwrap();
            let sink = Refusing::new(&["-rooms-005.yaml", "-rooms-003.yaml"]);
            let mut errors = Vec::new();
            for &k in &order {
                if let Err(e) = split.render_piece(k, &sink) {
                    errors.push(e);
                }
            }
            let [Stopped::Sink(path)] = errors.as_slice() else {
                panic!("order {order:?}: {errors:?}");
            };
            assert_eq!(path, "cloudformation/111122223333-us-east-1-rooms-003.yaml");

            // The second room template must be halved: a refusal of the fifth comes after it, so
            // the deployment is split again (and its fifth file then taken).
            let split = split_deployment::<String>(halved, TemplateFormat::Yaml).unwrap();
            let sink = Refusing::new(&["-rooms-005.yaml"]);
            for &k in &order {
                let settled = split.render_piece(k, &sink);
                assert!(settled.is_ok(), "order {order:?}: {settled:?}");
            }
        }
    }

    /// A thread that started a later piece before an earlier one failed notes its event last;
    /// the earlier event stays the first.
    #[test]
    fn an_event_noted_late_does_not_replace_an_earlier_one() {
        let model = spec(0..0);
        let dep = model.deployments.first().unwrap();
        let split = split_deployment::<String>(dep, TemplateFormat::Yaml).unwrap();
        split.note(3, Event::Stop(Stopped::Sink("third".to_owned())));
        split.note(5, Event::Stop(Stopped::Sink("fifth".to_owned())));
        split.note(4, Event::Halve);
        assert!(split.stopped_before(4) && !split.stopped_before(3));
        assert!(matches!(
            split.first().as_ref(),
            Some((3, Event::Stop(Stopped::Sink(path)))) if path == "third"
        ));
    }
}
