//! Every setting of a run as a command-line flag (clap), for the `wordvec` command and for
//! bindings that take settings by name: the flags, the config they describe (every default the
//! flags leave open from [`TrainConfig::for_model`]), and the help's defaults rendered from it.

use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, FromArgMatches, Parser};

use self::settings::{Carry, Change, SETTINGS, describe, setting_of, value_name};

mod reading;
mod settings;
mod values;

pub use self::reading::ReadingFlags;

use self::values::{FlagValues, absolute};

use super::{EvalConfig, TrainConfig};
use crate::error::{Error, Result};
use crate::io::VectorFormat;

/// Every setting of a run as a command-line flag, and which of them were given: a new run takes
/// the library's defaults ([`TrainConfig::for_model`]) for the others, a continued or resumed run
/// the earlier run's. A flag given where it does not apply is refused ([`settings::SETTINGS`]
/// says where each applies). Parsed as clap parses any `Args`, so it flattens into a command.
#[derive(Clone)]
pub struct TrainFlags {
    values: FlagValues,
    /// The ids of the flags given, in the order of the table of settings.
    given: Vec<&'static str>,
}

impl Args for TrainFlags {
    fn augment_args(command: clap::Command) -> clap::Command {
        FlagValues::augment_args(command)
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        FlagValues::augment_args_for_update(command)
    }

    fn group_id() -> Option<clap::Id> {
        FlagValues::group_id()
    }
}

impl FromArgMatches for TrainFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(TrainFlags {
            values: FlagValues::from_arg_matches(matches)?,
            given: given_in(matches),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.values.update_from_arg_matches(matches)?;
        let now = given_in(matches);
        self.given = SETTINGS
            .iter()
            .map(|s| s.id)
            .filter(|id| self.given.contains(id) || now.contains(id))
            .collect();
        Ok(())
    }
}

/// The settings `matches` has from the command line itself.
fn given_in(matches: &ArgMatches) -> Vec<&'static str> {
    SETTINGS
        .iter()
        .map(|s| s.id)
        .filter(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
        .collect()
}

/// Most settings a continued run takes anew follow the optimizer and backend: given a new one
/// of either, these take its defaults unless they are given too.
const FOLLOW_OPTIMIZER: [&str; 7] = [
    "update",
    "lr",
    "beta1",
    "beta2",
    "epsilon",
    "weight_decay",
    "momentum",
];

impl TrainFlags {
    /// Parses `args` (flags as `wordvec train` takes them, without the program's name) into
    /// the settings alone.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, clap::Error> {
        let words = std::iter::once("wordvec train".to_string()).chain(args);
        Ok(Settings::try_parse_from(words)?.settings)
    }

    /// The config the flags describe for a new run on `corpus` writing `output`, scored on
    /// `eval` (its `every` comes from `--eval-every`): the model's settings from its flags, every
    /// default the flags leave open from the library. Paths are made absolute, so a resumed run
    /// finds them from anywhere. A flag given where it does not apply is refused.
    pub fn config(
        &self,
        corpus: &[PathBuf],
        output: &Path,
        eval: EvalConfig,
    ) -> Result<TrainConfig> {
        let config = self.values.config(corpus, output, eval);
        self.check_scopes(&config)?;
        Ok(config)
    }

    /// The config of a run that continues `finished` (a finished run's) on `corpus`, writing
    /// `output` (in the format its extension says unless `--format` is given), scored on `eval`
    /// (the finished run's benchmarks when `None`): the settings given here replace the finished
    /// run's; a new optimizer or backend brings its own rate, parameters and update path unless
    /// those are given too. A setting the model or its vocabulary fixes is refused, named.
    pub fn continued(
        &self,
        finished: &TrainConfig,
        corpus: &[PathBuf],
        output: &Path,
        eval: Option<EvalConfig>,
    ) -> Result<TrainConfig> {
        let mut config = self.carried(finished, Change::continued, |flag| {
            format!(
                "{flag} is fixed by the finished run's model and vocabulary, which a continued run keeps: train a new run to change it"
            )
        })?;
        if config.optimizer != finished.optimizer || config.backend != finished.backend {
            let defaults = TrainConfig::for_model(
                config.model.clone(),
                Some(config.optimizer),
                config.backend,
            );
            for id in FOLLOW_OPTIMIZER.into_iter().filter(|id| !self.is_given(id)) {
                let carry = setting_of(id).change.continued();
                carry.expect("a continued run takes it")(&defaults, &mut config);
            }
        }
        config.corpus = corpus.iter().map(|p| absolute(p)).collect();
        config.output = absolute(output);
        if !self.is_given("format") {
            config.format = VectorFormat::from_extension(output);
        }
        replace_eval(&mut config, eval);
        self.check_scopes(&config)?;
        Ok(config)
    }

    /// The config a stopped run (`stopped`, its checkpoint's) resumes with: the settings that
    /// change how it is carried out or watched (threads, evaluation, checkpoints) given here
    /// replace its own, and `eval` its benchmarks; any other is refused, named, for a resumed
    /// run goes on as it started.
    pub fn resumed(&self, stopped: &TrainConfig, eval: Option<EvalConfig>) -> Result<TrainConfig> {
        let mut config = self.carried(stopped, Change::resumed, |flag| {
            let taken: Vec<String> = SETTINGS
                .iter()
                .filter(|s| s.change.resumed().is_some())
                .map(|s| flag_of(s.id))
                .collect();
            format!(
                "{flag} cannot change on --resume, which goes on as the run started: it takes {} and the benchmarks (--continue trains a finished run on with new settings)",
                taken.join(", ")
            )
        })?;
        replace_eval(&mut config, eval);
        self.check_scopes(&config)?;
        Ok(config)
    }

    /// `base` with the given settings that `take` allows carried over from the flags' values;
    /// the first it does not allow refused with `refusal`'s words for its flag.
    fn carried(
        &self,
        base: &TrainConfig,
        take: fn(Change) -> Option<Carry>,
        refusal: impl Fn(&str) -> String,
    ) -> Result<TrainConfig> {
        let kind = base.model.kind();
        let from =
            (self.values).config_of_kind(kind, &base.corpus, &base.output, base.eval.clone());
        let mut config = base.clone();
        for id in &self.given {
            match take(setting_of(id).change) {
                Some(carry) => carry(&from, &mut config),
                None => return Err(Error::Config(refusal(&flag_of(id)))),
            }
        }
        Ok(config)
    }

    /// Refuses the first flag given that a run of `config` would not use, saying where it
    /// applies.
    fn check_scopes(&self, config: &TrainConfig) -> Result<()> {
        for id in &self.given {
            let scope = setting_of(id).scope;
            if !scope.holds(config) {
                return Err(Error::Config(format!(
                    "{} applies to {}, and this run is {}",
                    flag_of(id),
                    scope.runs(),
                    describe(config)
                )));
            }
        }
        Ok(())
    }

    /// Whether the flag with this id was given.
    fn is_given(&self, id: &str) -> bool {
        self.given.contains(&id)
    }
}

/// `config`'s benchmarks replaced by `eval` (paths made absolute) where given; how often they
/// are scored stays a setting's.
fn replace_eval(config: &mut TrainConfig, eval: Option<EvalConfig>) {
    if let Some(eval) = eval {
        config.eval = EvalConfig {
            analogies: eval.analogies.as_deref().map(absolute),
            similarity: eval.similarity.iter().map(|p| absolute(p)).collect(),
            restrict: eval.restrict,
            every: config.eval.every,
        };
    }
}

/// `--name-part` for the id `name_part`.
fn flag_of(id: &str) -> String {
    format!("--{}", id.replace('_', "-"))
}

/// The runs whose defaults differ from a plain skip-gram run's, as the flags that make them: the
/// help shows each flag's default for the plain run and for each of these where it differs.
const DEFAULT_CASES: [(&str, &[&str]); 9] = [
    ("cbow", &["--model", "cbow"]),
    ("glove", &["--model", "glove"]),
    ("softmax", &["--loss", "softmax"]),
    ("adam", &["--optimizer", "adam"]),
    ("adamw", &["--optimizer", "adamw"]),
    ("rmsprop", &["--optimizer", "rmsprop"]),
    ("adagrad", &["--optimizer", "adagrad"]),
    (
        "autodiff adam",
        &["--update", "autodiff", "--optimizer", "adam"],
    ),
    ("ndarray", &["--backend", "ndarray"]),
];

/// A setting of a config as its flag takes it.
type FlagValue = fn(&TrainConfig) -> String;

/// The flags whose default depends on the run, each with its value in a config.
const RUN_DEPENDENT: [(&str, FlagValue); 11] = [
    ("update", |c| value_name(c.update)),
    ("optimizer", |c| value_name(c.optimizer)),
    ("beta1", |c| c.optimizer_params.beta1.to_string()),
    ("beta2", |c| c.optimizer_params.beta2.to_string()),
    ("epsilon", |c| c.optimizer_params.epsilon.to_string()),
    ("weight_decay", |c| {
        c.optimizer_params.weight_decay.to_string()
    }),
    ("momentum", |c| c.optimizer_params.momentum.to_string()),
    ("lr", |c| c.lr.to_string()),
    ("lr_schedule", |c| value_name(c.lr_schedule)),
    ("window", |c| c.window.to_string()),
    ("epochs", |c| c.epochs.to_string()),
];

/// The settings alone, as a command line to parse.
#[derive(Parser)]
#[command(name = "wordvec train")]
struct Settings {
    #[command(flatten)]
    settings: TrainFlags,
}

/// The config of a run on the embedded corpus with these flags (after `train`).
fn config_of(args: &[&str]) -> Result<TrainConfig, clap::Error> {
    let flags = TrainFlags::parse(args.iter().map(|a| a.to_string()))?;
    let output = TrainConfig::default().output;
    Ok(flags.values.config(&[], &output, EvalConfig::default()))
}

/// Adds to the help of each flag whose default depends on the run the defaults
/// [`TrainConfig::for_model`] gives (read through the flags themselves): `[default: 5; glove:
/// 10]`, the plain run's first, then each of [`DEFAULT_CASES`] where it differs.
pub fn document_defaults(command: clap::Command) -> clap::Command {
    let plain = config_of(&[]).expect("no flags parse");
    let cases: Vec<(&str, TrainConfig)> = DEFAULT_CASES
        .iter()
        .map(|(label, flags)| (*label, config_of(flags).expect("the cases parse")))
        .collect();
    RUN_DEPENDENT
        .iter()
        .fold(command, |command, &(id, value_of)| {
            let shown = value_of(&plain);
            let mut text = format!("[default: {shown}");
            let flag = format!("--{}", id.replace('_', "-"));
            for ((label, config), (_, flags)) in cases.iter().zip(DEFAULT_CASES) {
                let value = value_of(config);
                // A case that sets the flag itself would only repeat it.
                if value != shown && !flags.contains(&flag.as_str()) {
                    text.push_str(&format!("; {label}: {value}"));
                }
            }
            text.push(']');
            command.mut_arg(id, |arg| {
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                arg.help(format!("{help} {text}"))
            })
        })
}

#[cfg(test)]
mod tests {

    use super::settings::{Scope, Setting};
    use super::*;
    use crate::train::{
        BackendKind, LossKind, ModelKind, ModelOptions, OptimizerKind, Word2VecOptions,
    };

    /// `for_model`'s config for a run from the command line: paths as `train` makes them.
    fn library(model: ModelOptions, optimizer: Option<OptimizerKind>) -> TrainConfig {
        let mut config = TrainConfig::for_model(model, optimizer, BackendKind::Cpu);
        config.output = absolute(&config.output);
        config
    }

    #[test]
    fn flags_left_out_take_the_librarys_defaults() {
        let kind = |kind| ModelOptions::of_kind(kind);
        let softmax = ModelOptions::Word2Vec(Word2VecOptions {
            loss: LossKind::Softmax,
            ..Word2VecOptions::default()
        });
        let adam = Some(OptimizerKind::Adam);
        let cases = [
            (vec![], library(ModelOptions::default(), None)),
            (
                vec!["--model", "cbow"],
                library(kind(ModelKind::Cbow), None),
            ),
            (
                vec!["--model", "glove"],
                library(kind(ModelKind::Glove), None),
            ),
            (vec!["--loss", "softmax"], library(softmax, None)),
            (
                vec!["--optimizer", "adam"],
                library(ModelOptions::default(), adam),
            ),
        ];
        for (flags, expected) in cases {
            assert_eq!(config_of(&flags).unwrap(), expected, "{flags:?}");
        }
    }

    #[test]
    fn every_default_the_help_shows_is_the_one_a_run_takes() {
        let command = document_defaults(TrainFlags::augment_args(clap::Command::new("train")));
        let mut checked = 0;
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            let flag = format!("--{}", arg.get_long().unwrap_or(id));
            // clap's own defaults (`default_value_t`, the library's values)…
            for value in arg.get_default_values() {
                let value = value.to_str().unwrap();
                let given = config_of(&[&flag, value]).unwrap();
                assert_eq!(given, config_of(&[]).unwrap(), "{flag} {value}");
                checked += 1;
            }
            // …and those the help text renders for each kind of run; a few flags describe a
            // rule instead (`--format` follows the file's extension, `--threads` the machine).
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            let Some(shown) = help.split("[default: ").nth(1) else {
                continue;
            };
            if ["format", "batching", "threads", "temp_dir"].contains(&id) {
                continue;
            }
            assert!(
                RUN_DEPENDENT.iter().any(|(flag, _)| *flag == id),
                "--{id}: a default written by hand in its help"
            );
            let shown = shown.trim_end_matches(']');
            for (n, item) in shown.split("; ").enumerate() {
                let (flags, value): (&[&str], &str) = match item.split_once(": ") {
                    Some((label, value)) => {
                        let case = DEFAULT_CASES.iter().find(|(l, _)| *l == label);
                        (case.expect("a known case").1, value)
                    }
                    None if n == 0 => (&[], item),
                    None => panic!("{flag}: unlabelled default '{item}'"),
                };
                // A case that sets the flag itself shows what it sets.
                if flags.contains(&flag.as_str()) {
                    continue;
                }
                let mut given = flags.to_vec();
                given.extend([flag.as_str(), value]);
                assert_eq!(
                    config_of(&given).unwrap(),
                    config_of(flags).unwrap(),
                    "{flag}: the help says {value} for {flags:?}"
                );
                checked += 1;
            }
        }
        assert!(checked > 40, "{checked} defaults checked");
    }

    /// Flags for a run where `scope` holds, and for one where it does not (`None`: every run).
    fn runs_of(scope: Scope) -> (&'static [&'static str], Option<&'static [&'static str]>) {
        match scope {
            Scope::Any => (&[], None),
            Scope::Word2Vec => (&[], Some(&["--model", "glove"])),
            Scope::Cbow => (&["--model", "cbow"], Some(&[])),
            Scope::NegativeSampling => (&[], Some(&["--loss", "hierarchical"])),
            Scope::Softmax => (&["--loss", "softmax"], Some(&[])),
            Scope::Subwords => (&["--subwords"], Some(&[])),
            Scope::Glove => (&["--model", "glove"], Some(&[])),
            Scope::Word2VecFused => (&[], Some(&["--update", "autodiff"])),
            Scope::Autodiff => (&["--update", "autodiff"], Some(&[])),
            Scope::GpuFused => (&["--backend", "wgpu"], Some(&[])),
            Scope::Moments | Scope::Epsilon => (&["--optimizer", "adam"], Some(&[])),
            Scope::Momentum => (&[], Some(&["--optimizer", "adam"])),
            Scope::WeightDecay => (&[], Some(&["--model", "glove"])),
        }
    }

    /// The flags' words for `setting` with a value that changes the config of a run of `base`
    /// (a switch alone; `--lock-init` with the file it locks).
    fn words_for(setting: &Setting, base: &[&str]) -> Vec<String> {
        let command = TrainFlags::augment_args(clap::Command::new("train"));
        let arg = command
            .get_arguments()
            .find(|a| a.get_id() == setting.id)
            .unwrap();
        let flag = flag_of(setting.id);
        if !arg.get_action().takes_values() {
            return match setting.id {
                "lock_init" => vec!["--init-vectors".into(), "v.txt".into(), flag],
                _ => vec![flag],
            };
        }
        let plain = config_of(base).unwrap();
        let names = arg.get_possible_values();
        let names = names.iter().map(|v| v.get_name());
        let candidates = names.chain(["3", "2", "0.5", "7s", "epoch", "x.txt"]);
        for value in candidates {
            let mut line = base.to_vec();
            line.extend([flag.as_str(), value]);
            if config_of(&line).is_ok_and(|config| config != plain) {
                return vec![flag, value.to_string()];
            }
        }
        panic!("no value of {flag} changes a run of {base:?}");
    }

    /// The flags of `base` and then `words`.
    fn line(base: &[&str], words: &[String]) -> Vec<String> {
        let mut line: Vec<String> = base.iter().map(|w| w.to_string()).collect();
        line.extend(words.iter().cloned());
        line
    }

    fn flags(words: &[String]) -> TrainFlags {
        TrainFlags::parse(words.iter().cloned()).unwrap()
    }

    /// The config a new run of these flags gets, or its refusal.
    fn new_run(words: &[String]) -> Result<TrainConfig> {
        let output = TrainConfig::default().output;
        flags(words).config(&[], &output, EvalConfig::default())
    }

    #[test]
    fn every_flag_has_a_row_in_the_table_and_every_row_a_flag() {
        let command = TrainFlags::augment_args(clap::Command::new("train"));
        let flags: Vec<&str> = command
            .get_arguments()
            .map(|a| a.get_id().as_str())
            .collect();
        let rows: Vec<&str> = SETTINGS.iter().map(|s| s.id).collect();
        assert_eq!(flags, rows);
    }

    #[test]
    fn a_flag_given_where_it_does_not_apply_is_refused_and_where_it_does_is_taken() {
        let mut refused = 0;
        for setting in &SETTINGS {
            let (inside, outside) = runs_of(setting.scope);
            let words = words_for(setting, inside);
            let flag = flag_of(setting.id);
            let taken = new_run(&line(inside, &words));
            assert!(taken.is_ok(), "{flag} in {inside:?}: {:?}", taken.err());
            let Some(outside) = outside else {
                continue;
            };
            let Err(e) = new_run(&line(outside, &words)) else {
                panic!("{flag} taken in a run of {outside:?}");
            };
            let message = e.to_string();
            assert!(
                message.contains(&format!("{flag} applies to {}", setting.scope.runs())),
                "{message}"
            );
            refused += 1;
        }
        assert!(refused > 25, "{refused} flags checked outside their runs");
    }

    #[test]
    fn a_continued_run_takes_the_runs_settings_and_refuses_the_models() {
        let output = TrainConfig::default().output;
        let (mut taken, mut refused) = (0, 0);
        for setting in &SETTINGS {
            let (inside, _) = runs_of(setting.scope);
            let words = words_for(setting, inside);
            let finished = config_of(inside).unwrap();
            let continued = flags(&words).continued(&finished, &[], &output, None);
            let flag = flag_of(setting.id);
            match setting.change.continued() {
                // The finished run's settings, but the one given: as a new run with it.
                Some(_) => {
                    let line = line(inside, &words);
                    assert_eq!(continued.unwrap(), new_run(&line).unwrap(), "{flag}");
                    taken += 1;
                }
                None => {
                    let message = continued.unwrap_err().to_string();
                    assert!(
                        message.contains("fixed by the finished run's model"),
                        "{message}"
                    );
                    assert!(message.contains(words[0].as_str()), "{flag}: {message}");
                    refused += 1;
                }
            }
        }
        assert!(
            taken > 25 && refused > 10,
            "{taken} taken, {refused} refused"
        );
    }

    #[test]
    fn a_new_optimizer_brings_its_defaults_to_a_continued_cbow_run_unless_given() {
        let output = TrainConfig::default().output;
        let finished = config_of(&["--model", "cbow", "--lr", "0.3"]).unwrap();
        let words = |w: &[&str]| w.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        let adam = flags(&words(&["--optimizer", "adam", "--threads", "1"]));
        let config = adam.continued(&finished, &[], &output, None).unwrap();
        let expected = config_of(&["--model", "cbow", "--optimizer", "adam", "--threads", "1"]);
        assert_eq!(config, expected.unwrap());
        let sgd = flags(&words(&["--epochs", "2"]));
        let config = sgd.continued(&finished, &[], &output, None).unwrap();
        assert_eq!(
            (config.lr, config.epochs),
            (0.3, 2),
            "the finished run's rate kept"
        );
    }

    #[test]
    fn a_resumed_run_takes_only_what_leaves_its_course_as_it_was() {
        let mut taken = 0;
        for setting in &SETTINGS {
            let (inside, _) = runs_of(setting.scope);
            let words = words_for(setting, inside);
            let stopped = config_of(inside).unwrap();
            let resumed = flags(&words).resumed(&stopped, None);
            match setting.change.resumed() {
                Some(_) => {
                    let line = line(inside, &words);
                    assert_eq!(resumed.unwrap(), new_run(&line).unwrap(), "{}", words[0]);
                    taken += 1;
                }
                None => {
                    let message = resumed.unwrap_err().to_string();
                    assert!(message.contains(&format!("{} cannot change on --resume", words[0])));
                }
            }
        }
        assert_eq!(taken, 3);
    }
}
