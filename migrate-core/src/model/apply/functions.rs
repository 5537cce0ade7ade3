//! Functions, procedures and triggers: their overloads, and what goes with
//! a dropped one.

use super::Applier;
use crate::lower::functions::{CreateFunction, CreateTrigger};
use crate::lower::types::WrittenType;
use crate::model::function::Overload;
use crate::model::schema::{ConstraintKind, QualName, Table, Trigger};
use crate::model::types::{self, SqlType};

impl Applier<'_> {
    /// Known by name, each overload by its input argument types, with its
    /// parameters, result, language and body; CREATE OR REPLACE of the same
    /// arguments replaces that overload.
    pub(crate) fn create_function(&mut self, c: &CreateFunction) {
        let q = self.qual_from_list(&c.names);
        let params: Vec<(char, SqlType)> = (c.params.iter())
            .map(|(mode, ty)| (*mode, self.function_type(ty)))
            .collect();
        let unplaced_input = (c.params.iter())
            .filter(|(mode, _)| matches!(mode, 'i' | 'b' | 'v'))
            .any(|(_, ty)| ty.pct_type || self.placed_type(&ty.names).is_none());
        let mut returns = (c.returns.as_ref()).map(|(ty, setof)| (self.function_type(ty), *setof));
        // A function's OUT parameters say its result when RETURNS does not:
        // the one's type, or `record` for several (PostgreSQL stores the
        // same either way, so `RETURNS record` written out is no difference).
        if returns.is_none() && !c.procedure {
            let mut outs = (params.iter()).filter(|(mode, _)| matches!(mode, 'o' | 'b' | 't'));
            returns = match (outs.next(), outs.next()) {
                (Some((_, one)), None) => Some((one.clone(), false)),
                (Some(_), Some(_)) => Some((SqlType::builtin("record"), false)),
                (None, _) => None,
            };
        }
        let overload = Overload {
            params,
            returns,
            body: c.body.clone(),
            standard_body: c.standard_body,
            unplaced_input,
        };
        let mut overloads = self.schema.functions.get(&q).cloned().unwrap_or_default();
        overloads.insert(overload.inputs(), overload);
        self.schema.functions.insert(q.clone(), overloads);
        self.schema.opaque.remove(&q);
    }

    /// A function's argument or result type, canonical so that two spellings
    /// of one type are one (a down that restores `bigint` where the up wrote
    /// `int8` restores the same function): built-ins by their internal name
    /// as columns have them, `_text` as `text[]`, user types by the schema
    /// they resolve to, and no modifiers (PostgreSQL keeps none for a
    /// function's types). A type the model cannot place (a pseudo-type, an
    /// extension's) stays as written: never an error here.
    pub(crate) fn function_type(&self, tn: &WrittenType) -> SqlType {
        let dims = tn.array_bounds as u32;
        let names = &tn.names;
        let placed = (!tn.pct_type).then(|| self.placed_type(names)).flatten();
        if let Some(ty) = placed {
            return SqlType {
                array_dims: ty.array_dims + dims,
                ..ty
            };
        }
        let (name, schema) = match names.split_last() {
            Some((name, [.., schema])) => (name.clone(), Some(schema.clone())),
            Some((name, [])) => (name.clone(), None),
            None => (String::new(), None),
        };
        // `%TYPE` is the column's type; the model keeps it as written.
        let name = if tn.pct_type {
            format!("{}%type", names.join("."))
        } else {
            name
        };
        SqlType {
            schema,
            name,
            modifiers: Vec::new(),
            array_dims: dims,
        }
    }

    /// A built-in (any alias) or a type the migrations made; `_name` is the
    /// array of `name`, as PostgreSQL names array types.
    fn placed_type(&self, names: &[String]) -> Option<SqlType> {
        if let [one] = names
            && let Some(b) = types::resolve_builtin(one)
        {
            return Some(SqlType::builtin(b.name));
        }
        if let Some(q) = self.user_type(names) {
            return Some(SqlType {
                schema: Some(q.schema),
                ..SqlType::builtin(&q.name)
            });
        }
        let ty = self.placed_type(&super::types::array_element_names(names)?)?;
        Some(SqlType {
            array_dims: ty.array_dims + 1,
            ..ty
        })
    }

    /// DROP FUNCTION of `names`; `arguments` as written, `None` when the
    /// statement gives none (PostgreSQL then requires one overload only).
    pub(crate) fn drop_function(
        &mut self,
        names: &[String],
        arguments: Option<&[WrittenType]>,
        cascade: bool,
    ) {
        let key = arguments.map(|a| a.iter().map(|t| self.function_type(t)).collect::<Vec<_>>());
        let with_key = key
            .as_deref()
            .and_then(|k| self.resolve_list(names, &WithOverload(&self.schema.functions, k)));
        let Some(q) = with_key.or_else(|| self.resolve_list(names, &self.schema.functions)) else {
            // Not one the model keeps; triggers may still name it.
            let q = self.qual_from_list(names);
            self.drop_overloads(&q, &[key.unwrap_or_default()], cascade);
            return;
        };
        let known = self.schema.functions.get(&q).cloned().unwrap_or_default();
        let gone: Vec<Vec<SqlType>> = match key {
            None => known.keys().cloned().collect(),
            Some(key) if known.contains_key(&key) => vec![key],
            // Types the model spells differently from PostgreSQL, or an
            // overload made by what it could not follow: it cannot tell
            // which overload goes.
            Some(_) => {
                self.make_opaque(q, "DROP FUNCTION of an overload the model does not know");
                return;
            }
        };
        self.drop_overloads(&q, &gone, cascade);
    }

    /// Drops the overloads `gone` of `q` and what needs them. A trigger
    /// executes the overload without arguments (a trigger function takes
    /// none; `f('x')` passes TG_ARGV), so only that one takes triggers: with
    /// CASCADE they go, without it one the model is sure of is PostgreSQL's
    /// error. CASCADE also takes what calls the function, which the model
    /// does not know (see `doubt_callers`).
    pub(crate) fn drop_overloads(&mut self, q: &QualName, gone: &[Vec<SqlType>], cascade: bool) {
        let triggers = if gone.iter().any(Vec::is_empty) {
            self.triggers_executing(q)
        } else {
            Vec::new()
        };
        if let Some((t, n)) = triggers.iter().find(|(t, _)| !self.schema.doubts(t))
            && !cascade
        {
            let (t, n) = (t.clone(), n.clone());
            self.error_at(
                self.locate(&q.name),
                format!("cannot drop function {q}: trigger {n} on table {t} depends on it"),
                Some("drop the trigger first, or add CASCADE".to_owned()),
            );
            return;
        }
        for k in triggers {
            self.schema.triggers.remove(&k);
        }
        if cascade {
            self.doubt_callers(q);
        }
        let mut overloads = self.schema.functions.get(q).cloned().unwrap_or_default();
        for key in gone {
            overloads.remove(key);
        }
        if overloads.is_empty() {
            self.schema.functions.remove(q);
            self.schema.opaque.remove(q);
        } else {
            self.schema.functions.insert(q.clone(), overloads);
        }
    }

    /// The triggers that execute a function named `q`.
    fn triggers_executing(&self, q: &QualName) -> Vec<(QualName, String)> {
        (self.schema.triggers.iter())
            .filter(|(_, t)| t.function == *q)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// DROP FUNCTION ... CASCADE drops what calls the function: expression
    /// indexes, checks, defaults, generated columns, views. The model keeps
    /// no calls of expressions and queries, so whatever may call it becomes
    /// opaque instead of staying sure (a later CREATE INDEX of a dropped
    /// index's name is then no error): the indexes whose definition calls the
    /// name, the tables with a check, a generated column or a default other
    /// than a sequence's, and every view.
    fn doubt_callers(&mut self, q: &QualName) {
        self.doubt_dependents(
            &format!(
                "DROP FUNCTION {q} ... CASCADE drops what calls it, which the model does not know"
            ),
            |_, ix| calls(&ix.definition, &q.name),
        );
    }

    /// A CASCADE drops what depends on an object whose users the model
    /// does not track (a function, an extension's functions and operator
    /// classes): the indexes `index` picks, the tables whose expressions may
    /// call a function, and every view become opaque.
    pub(crate) fn doubt_dependents(
        &mut self,
        why: &str,
        index: impl Fn(&QualName, &crate::model::schema::Index) -> bool,
    ) {
        self.doubt_dependents_and(why, index, |_| true);
    }

    /// [`Self::doubt_dependents`], of the views `view` picks only.
    pub(crate) fn doubt_dependents_and(
        &mut self,
        why: &str,
        index: impl Fn(&QualName, &crate::model::schema::Index) -> bool,
        view: impl Fn(&crate::model::schema::View) -> bool,
    ) {
        let s = &*self.schema;
        let indexes = (s.indexes.iter())
            .filter(|(n, ix)| index(n, ix))
            .map(|(n, _)| n.clone());
        let tables = (s.tables.values())
            .filter(|t| may_call(t))
            .map(|t| t.name.clone());
        let views = (s.views.values())
            .filter(|v| view(v))
            .map(|v| v.name.clone());
        let doubted: Vec<QualName> = indexes
            .chain(tables)
            .chain(views)
            .filter(|n| !s.opaque.contains(n))
            .collect();
        if doubted.is_empty() {
            return;
        }
        self.incomplete(why);
        for n in doubted {
            self.schema.opaque.insert(n);
        }
    }

    pub(crate) fn create_trigger(&mut self, c: &CreateTrigger<'_>) {
        let rel = &c.relation;
        // INSTEAD OF triggers sit on views.
        let view = self.resolve(rel.schema, rel.name, &self.schema.views);
        let Some(table) = view.or_else(|| self.table_of(rel, false)) else {
            return;
        };
        let key = (table.clone(), c.name.to_owned());
        if self.schema.triggers.contains_key(&key) && !c.replace {
            self.error_at(
                self.locate(c.name),
                format!(
                    "trigger \"{}\" for relation \"{table}\" already exists",
                    c.name
                ),
                Some("drop it first, or use CREATE OR REPLACE TRIGGER".to_owned()),
            );
            return;
        }
        let func = self.qual_from_list(&c.function);
        // The schema written, empty when unqualified.
        let schema = match c.function.as_slice() {
            [.., schema, _] => schema.as_str(),
            _ => "",
        };
        // The first schema of the path with an overload without arguments
        // (the one a trigger executes), as PostgreSQL looks it up; else the
        // first with the name (the model may not know its overloads).
        let none = WithOverload(&self.schema.functions, &[]);
        let func = (self.resolve(schema, &func.name, &none))
            .or_else(|| self.resolve(schema, &func.name, &self.schema.functions))
            .unwrap_or(func);
        self.schema.triggers.insert(
            key,
            Trigger {
                function: func,
                columns: c.columns.clone(),
            },
        );
    }
}

/// True when `text` calls a function named `name` (`name(`, `s.name(`).
pub(crate) fn calls(text: &str, name: &str) -> bool {
    let (text, name) = (text.to_lowercase(), name.to_lowercase());
    let word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(&name).any(|(i, _)| {
        let rest = text[i + name.len()..].trim_start_matches('"');
        !text[..i].trim_end_matches('"').ends_with(word) && rest.starts_with('(')
    })
}

/// True when an expression of the table may call a function: a check, a
/// generated column, or a default that is not a sequence's or an identity.
fn may_call(t: &Table) -> bool {
    t.constraints
        .values()
        .any(|k| matches!(k, ConstraintKind::Check { .. }))
        || (t.columns.iter()).any(|c| c.generated || c.expression_default())
}

/// The functions that have an overload of these input types: PostgreSQL
/// looks a function up by name and arguments, so a schema earlier in the
/// path with other overloads of the name is passed over.
struct WithOverload<'a>(
    &'a crate::model::schema::Map<QualName, crate::model::function::Overloads>,
    &'a [SqlType],
);

impl crate::model::schema::Names for WithOverload<'_> {
    fn has(&self, q: &QualName) -> bool {
        self.0.get(q).is_some_and(|o| o.contains_key(self.1))
    }
}
