//! Structural checking against the official FA(3) XSD, in pure Rust.
//!
//! The app ships to Windows and macOS, so we cannot lean on libxml2. Instead the
//! official schema files (`ksef-spec/schemas/`, embedded by the `ksef-spec`
//! crate) are interpreted at first use: the subset of XSD they use (sequence, choice, min/maxOccurs, named and
//! anonymous types, simple/complex content extension, attributes, and the facets
//! enumeration, pattern, length, min/maxLength, total/fractionDigits,
//! min/max inclusive/exclusive, whiteSpace) is enough to check every rule.
//! Checking reports every finding (capped) instead of stopping at the first.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::xml::{self, Element};

/// Namespace of FA(3) documents.
pub const FA_NS: &str = "http://crd.gov.pl/wzor/2025/06/25/13775/";
const ETD_NS: &str = "http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/";
const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

const FA_XSD: &str = ksef_spec::fa3_xsd::FA;
const STRUKTURY_XSD: &str = ksef_spec::fa3_xsd::STRUKTURY;
const ELEMENTARNE_XSD: &str = ksef_spec::fa3_xsd::ELEMENTARNE;
const KODY_XSD: &str = ksef_spec::fa3_xsd::KODY;

/// Most findings reported for one document; hostile input could produce millions.
const MAX_ISSUES: usize = 200;

/// One violation of the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaIssue {
    /// Path of the offending element, e.g. `Faktura/Fa/FaWiersz[2]/P_12`.
    pub path: String,
    /// Byte offset of the element in the source (0 for built documents).
    pub offset: u64,
    /// What is wrong.
    pub kind: IssueKind,
}

/// Kinds of schema violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// Root element is not `Faktura` in the FA(3) namespace.
    WrongRoot {
        /// Namespace found.
        ns: String,
        /// Name found.
        name: String,
    },
    /// An element that may not appear here (or not in this order).
    Unexpected {
        /// Its name.
        element: String,
        /// Names allowed at that point.
        expected: Vec<String>,
    },
    /// Required content missing at the end of the parent.
    Missing {
        /// Names any of which would have been accepted.
        expected: Vec<String>,
    },
    /// Text where only elements are allowed.
    TextNotAllowed,
    /// Child elements inside a simple-valued element.
    ChildrenNotAllowed,
    /// A value breaking a facet or the built-in type.
    BadValue {
        /// The value (truncated).
        value: String,
        /// Which rule.
        rule: String,
    },
    /// An attribute the schema does not declare.
    UnknownAttribute(String),
    /// A required attribute is absent.
    MissingAttribute(String),
    /// Element in another namespace than FA(3).
    WrongNamespace(String),
    /// More findings were cut off.
    TooManyIssues,
}

impl std::fmt::Display for SchemaIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: ", self.path)?;
        match &self.kind {
            IssueKind::WrongRoot { ns, name } => {
                write!(
                    f,
                    "root must be Faktura in namespace {FA_NS}, found {name} in {ns:?}"
                )
            }
            IssueKind::Unexpected { element, expected } if expected.is_empty() => {
                write!(f, "element {element} is not allowed here")
            }
            IssueKind::Unexpected { element, expected } => {
                write!(
                    f,
                    "element {element} is not allowed here; expected {}",
                    expected.join(" | ")
                )
            }
            IssueKind::Missing { expected } => {
                write!(f, "missing required element {}", expected.join(" | "))
            }
            IssueKind::TextNotAllowed => write!(f, "text is not allowed here, only child elements"),
            IssueKind::ChildrenNotAllowed => {
                write!(f, "child elements are not allowed, only a value")
            }
            IssueKind::BadValue { value, rule } => write!(f, "value {value:?} is invalid: {rule}"),
            IssueKind::UnknownAttribute(a) => write!(f, "attribute {a} is not allowed"),
            IssueKind::MissingAttribute(a) => write!(f, "required attribute {a} is missing"),
            IssueKind::WrongNamespace(ns) => {
                write!(f, "element is in namespace {ns:?}, expected {FA_NS}")
            }
            IssueKind::TooManyIssues => write!(f, "further findings omitted"),
        }
    }
}

impl SchemaIssue {
    /// The finding in Polish, for the user interface ([`Display`](std::fmt::Display) is English).
    pub fn message_pl(&self) -> String {
        let what = match &self.kind {
            IssueKind::WrongRoot { ns, name } => {
                format!("elementem głównym musi być Faktura w przestrzeni nazw {FA_NS}, jest {name} w {ns:?}")
            }
            IssueKind::Unexpected { element, expected } if expected.is_empty() => {
                format!("element {element} nie jest tu dozwolony")
            }
            IssueKind::Unexpected { element, expected } => {
                format!(
                    "element {element} nie jest tu dozwolony; oczekiwano {}",
                    expected.join(" | ")
                )
            }
            IssueKind::Missing { expected } => {
                format!("brak wymaganego elementu {}", expected.join(" | "))
            }
            IssueKind::TextNotAllowed => {
                "tekst nie jest tu dozwolony, tylko elementy podrzędne".to_owned()
            }
            IssueKind::ChildrenNotAllowed => {
                "elementy podrzędne nie są dozwolone, tylko wartość".to_owned()
            }
            IssueKind::BadValue { value, rule } => {
                format!("niepoprawna wartość {value:?} ({rule})")
            }
            IssueKind::UnknownAttribute(a) => format!("atrybut {a} nie jest dozwolony"),
            IssueKind::MissingAttribute(a) => format!("brak wymaganego atrybutu {a}"),
            IssueKind::WrongNamespace(ns) => {
                format!("element jest w przestrzeni nazw {ns:?}, oczekiwano {FA_NS}")
            }
            IssueKind::TooManyIssues => "pominięto dalsze błędy".to_owned(),
        };
        format!("{}: {what}", self.path)
    }
}

type QName = (String, String);

#[derive(Debug)]
enum Particle {
    Element {
        decl: usize,
        min: u32,
        max: u32,
    },
    Sequence {
        items: Vec<Particle>,
        min: u32,
        max: u32,
    },
    Choice {
        items: Vec<Particle>,
        min: u32,
        max: u32,
    },
}

#[derive(Debug)]
struct ElementDecl {
    name: String,
    ty: TypeRef,
}

#[derive(Debug, Clone)]
enum TypeRef {
    Named(QName),
    Complex(usize),
    Simple(usize),
}

#[derive(Debug, Default)]
struct ComplexType {
    content: Option<Particle>,
    /// For simple content: the value type.
    simple: Option<TypeRef>,
    attrs: Vec<AttrDecl>,
}

#[derive(Debug)]
struct AttrDecl {
    name: String,
    ty: Option<TypeRef>,
    required: bool,
    fixed: Option<String>,
}

#[derive(Debug, Default)]
struct SimpleType {
    base: Option<TypeRef>,
    builtin: Option<Builtin>,
    enums: Vec<String>,
    patterns: Vec<Regex>,
    pattern_src: Vec<String>,
    length: Option<usize>,
    min_len: Option<usize>,
    max_len: Option<usize>,
    total_digits: Option<u32>,
    fraction_digits: Option<u32>,
    min_incl: Option<String>,
    max_incl: Option<String>,
    min_excl: Option<String>,
    whitespace: Option<Ws>,
    /// Unions are not used by FA(3) itself; accept anything for them.
    any: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ws {
    Preserve,
    Replace,
    Collapse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Builtin {
    String,
    NormalizedString,
    Token,
    Decimal,
    Integer,
    Byte,
    Int,
    NonNegativeInteger,
    Date,
    DateTime,
    GYear,
}

impl Builtin {
    fn from_name(n: &str) -> Option<Self> {
        Some(match n {
            "string" => Self::String,
            "normalizedString" => Self::NormalizedString,
            "token" => Self::Token,
            "decimal" => Self::Decimal,
            "integer" => Self::Integer,
            "byte" => Self::Byte,
            "int" => Self::Int,
            "nonNegativeInteger" => Self::NonNegativeInteger,
            "date" => Self::Date,
            "dateTime" => Self::DateTime,
            "gYear" => Self::GYear,
            _ => return None,
        })
    }
    fn whitespace(self) -> Ws {
        match self {
            Self::String => Ws::Preserve,
            Self::NormalizedString => Ws::Replace,
            _ => Ws::Collapse,
        }
    }
    fn numeric(self) -> bool {
        matches!(
            self,
            Self::Decimal | Self::Integer | Self::Byte | Self::Int | Self::NonNegativeInteger
        )
    }
}

/// The compiled FA(3) schema.
#[derive(Debug)]
pub struct Schema {
    decls: Vec<ElementDecl>,
    complex: Vec<ComplexType>,
    simple: Vec<SimpleType>,
    named_complex: HashMap<QName, usize>,
    named_simple: HashMap<QName, usize>,
    root: usize,
}

/// Problems building the embedded schema: a bug in this crate, never user input.
#[derive(Debug, Clone, thiserror::Error)]
#[error("embedded FA(3) schema could not be compiled: {0}")]
pub struct SchemaBuildError(String);

static SCHEMA: OnceLock<Result<Schema, SchemaBuildError>> = OnceLock::new();

/// The FA(3) schema, compiled once per process.
pub fn schema() -> Result<&'static Schema, SchemaBuildError> {
    SCHEMA
        .get_or_init(Schema::build)
        .as_ref()
        .map_err(Clone::clone)
}

fn qname(v: &str, target: &str) -> QName {
    match v.split_once(':') {
        Some(("xsd", l)) => (XSD_NS.to_owned(), l.to_owned()),
        Some(("etd", l)) => (ETD_NS.to_owned(), l.to_owned()),
        Some(("tns", l)) => (FA_NS.to_owned(), l.to_owned()),
        Some((_, l)) => (target.to_owned(), l.to_owned()),
        None => (target.to_owned(), v.to_owned()),
    }
}

fn occurs(el: &Element, attr: &str) -> Result<u32, SchemaBuildError> {
    match el.attr(attr) {
        None => Ok(1),
        Some("unbounded") => Ok(u32::MAX),
        Some(v) => v
            .parse()
            .map_err(|_| SchemaBuildError(format!("bad {attr} {v}"))),
    }
}

impl Schema {
    fn build() -> Result<Self, SchemaBuildError> {
        let mut s = Schema {
            decls: Vec::new(),
            complex: Vec::new(),
            simple: Vec::new(),
            named_complex: HashMap::new(),
            named_simple: HashMap::new(),
            root: 0,
        };
        let mut root = None;
        for (src, target) in [
            (KODY_XSD, ETD_NS),
            (ELEMENTARNE_XSD, ETD_NS),
            (STRUKTURY_XSD, ETD_NS),
            (FA_XSD, FA_NS),
        ] {
            let doc = xml::read(src.as_bytes(), xml::Limits::default())
                .map_err(|e| SchemaBuildError(e.to_string()))?;
            for top in &doc.children {
                match top.name.as_str() {
                    "simpleType" => {
                        let idx = s.simple_type(top, target)?;
                        if let Some(n) = top.attr("name") {
                            s.named_simple
                                .insert((target.to_owned(), n.to_owned()), idx);
                        }
                    }
                    "complexType" => {
                        let idx = s.complex_type(top, target)?;
                        if let Some(n) = top.attr("name") {
                            s.named_complex
                                .insert((target.to_owned(), n.to_owned()), idx);
                        }
                    }
                    "element" => {
                        let d = s.element_decl(top, target)?;
                        if target == FA_NS && s.decls[d].name == "Faktura" {
                            root = Some(d);
                        }
                    }
                    _ => {}
                }
            }
        }
        s.root = root.ok_or_else(|| SchemaBuildError("no Faktura element".into()))?;
        Ok(s)
    }

    fn element_decl(&mut self, el: &Element, target: &str) -> Result<usize, SchemaBuildError> {
        let name = el
            .attr("name")
            .ok_or_else(|| SchemaBuildError("element without name".into()))?;
        let ty = if let Some(t) = el.attr("type") {
            TypeRef::Named(qname(t, target))
        } else if let Some(ct) = el.child("complexType") {
            TypeRef::Complex(self.complex_type(ct, target)?)
        } else if let Some(st) = el.child("simpleType") {
            TypeRef::Simple(self.simple_type(st, target)?)
        } else {
            TypeRef::Named((XSD_NS.to_owned(), "string".to_owned()))
        };
        self.decls.push(ElementDecl {
            name: name.to_owned(),
            ty,
        });
        Ok(self.decls.len() - 1)
    }

    fn complex_type(&mut self, el: &Element, target: &str) -> Result<usize, SchemaBuildError> {
        let mut ct = ComplexType::default();
        for c in &el.children {
            match c.name.as_str() {
                "sequence" | "choice" => ct.content = Some(self.particle(c, target)?),
                "attribute" => ct.attrs.push(self.attr_decl(c, target)?),
                "complexContent" | "simpleContent" => {
                    let ext = c
                        .child("extension")
                        .ok_or_else(|| SchemaBuildError("content without extension".into()))?;
                    let base = qname(ext.attr("base").unwrap_or_default(), target);
                    if c.name == "simpleContent" {
                        ct.simple = Some(TypeRef::Named(base));
                    } else {
                        // Extension: base content followed by the extension's own.
                        let base_idx = *self
                            .named_complex
                            .get(&base)
                            .ok_or_else(|| SchemaBuildError(format!("unknown base {base:?}")))?;
                        let mut items = Vec::new();
                        if let Some(p) = &self.complex[base_idx].content {
                            items.push(clone_particle(p));
                        }
                        for e in &ext.children {
                            match e.name.as_str() {
                                "sequence" | "choice" => items.push(self.particle(e, target)?),
                                "attribute" => ct.attrs.push(self.attr_decl(e, target)?),
                                _ => {}
                            }
                        }
                        ct.content = Some(Particle::Sequence {
                            items,
                            min: 1,
                            max: 1,
                        });
                    }
                    for e in ext.children_named("attribute") {
                        if c.name == "simpleContent" {
                            ct.attrs.push(self.attr_decl(e, target)?);
                        }
                    }
                }
                _ => {}
            }
        }
        self.complex.push(ct);
        Ok(self.complex.len() - 1)
    }

    fn attr_decl(&mut self, el: &Element, target: &str) -> Result<AttrDecl, SchemaBuildError> {
        let ty = match (el.attr("type"), el.child("simpleType")) {
            (Some(t), _) => Some(TypeRef::Named(qname(t, target))),
            (None, Some(st)) => Some(TypeRef::Simple(self.simple_type(st, target)?)),
            _ => None,
        };
        Ok(AttrDecl {
            name: el.attr("name").unwrap_or_default().to_owned(),
            ty,
            required: el.attr("use") == Some("required"),
            fixed: el.attr("fixed").map(str::to_owned),
        })
    }

    fn particle(&mut self, el: &Element, target: &str) -> Result<Particle, SchemaBuildError> {
        let min = occurs(el, "minOccurs")?;
        let max = occurs(el, "maxOccurs")?;
        match el.name.as_str() {
            "element" => Ok(Particle::Element {
                decl: self.element_decl(el, target)?,
                min,
                max,
            }),
            "sequence" | "choice" => {
                let mut items = Vec::new();
                for c in &el.children {
                    if matches!(c.name.as_str(), "element" | "sequence" | "choice") {
                        items.push(self.particle(c, target)?);
                    }
                }
                Ok(if el.name == "sequence" {
                    Particle::Sequence { items, min, max }
                } else {
                    Particle::Choice { items, min, max }
                })
            }
            other => Err(SchemaBuildError(format!("unsupported particle {other}"))),
        }
    }

    fn simple_type(&mut self, el: &Element, target: &str) -> Result<usize, SchemaBuildError> {
        let mut st = SimpleType::default();
        if el.child("union").is_some() || el.child("list").is_some() {
            st.any = true;
        }
        if let Some(r) = el.child("restriction") {
            let base = qname(r.attr("base").unwrap_or("xsd:string"), target);
            if base.0 == XSD_NS {
                st.builtin = Some(
                    Builtin::from_name(&base.1)
                        .ok_or_else(|| SchemaBuildError(format!("builtin {}", base.1)))?,
                );
            } else {
                st.base = Some(TypeRef::Named(base));
            }
            if let Some(inner) = r.child("simpleType") {
                st.base = Some(TypeRef::Simple(self.simple_type(inner, target)?));
            }
            for f in &r.children {
                let v = f.attr("value").unwrap_or_default();
                let num = || {
                    v.parse::<usize>()
                        .map_err(|_| SchemaBuildError(format!("facet {v}")))
                };
                match f.name.as_str() {
                    "enumeration" => st.enums.push(v.to_owned()),
                    "pattern" => {
                        // XSD patterns match the whole value.
                        let re = Regex::new(&format!("^(?:{v})$"))
                            .map_err(|e| SchemaBuildError(format!("pattern {v}: {e}")))?;
                        st.patterns.push(re);
                        st.pattern_src.push(v.to_owned());
                    }
                    "length" => st.length = Some(num()?),
                    "minLength" => st.min_len = Some(num()?),
                    "maxLength" => st.max_len = Some(num()?),
                    "totalDigits" => st.total_digits = Some(num()? as u32),
                    "fractionDigits" => st.fraction_digits = Some(num()? as u32),
                    "minInclusive" => st.min_incl = Some(v.to_owned()),
                    "maxInclusive" => st.max_incl = Some(v.to_owned()),
                    "minExclusive" => st.min_excl = Some(v.to_owned()),
                    "whiteSpace" => {
                        st.whitespace = Some(match v {
                            "replace" => Ws::Replace,
                            "collapse" => Ws::Collapse,
                            _ => Ws::Preserve,
                        })
                    }
                    _ => {}
                }
            }
        }
        self.simple.push(st);
        Ok(self.simple.len() - 1)
    }

    fn lookup_complex(&self, t: &TypeRef) -> Option<&ComplexType> {
        match t {
            TypeRef::Complex(i) => self.complex.get(*i),
            TypeRef::Named(q) => self.named_complex.get(q).and_then(|i| self.complex.get(*i)),
            TypeRef::Simple(_) => None,
        }
    }

    fn lookup_simple(&self, t: &TypeRef) -> Option<SimpleRef<'_>> {
        match t {
            TypeRef::Simple(i) => self.simple.get(*i).map(SimpleRef::Derived),
            TypeRef::Named(q) if q.0 == XSD_NS => Builtin::from_name(&q.1).map(SimpleRef::Builtin),
            TypeRef::Named(q) => self
                .named_simple
                .get(q)
                .and_then(|i| self.simple.get(*i))
                .map(SimpleRef::Derived),
            TypeRef::Complex(_) => None,
        }
    }

    /// Names of the children `path` (from `Faktura`, e.g. `["Fa", "Platnosc"]`)
    /// may have, in schema order. Used to put kept unknown elements back in place.
    pub fn child_order(&self, path: &[&str]) -> Vec<&str> {
        let mut decl = &self.decls[self.root];
        for step in path {
            let Some(ct) = self.lookup_complex(&decl.ty) else {
                return Vec::new();
            };
            let Some(p) = &ct.content else {
                return Vec::new();
            };
            match self.find_decl(p, step) {
                Some(d) => decl = &self.decls[d],
                None => return Vec::new(),
            }
        }
        let mut out = Vec::new();
        if let Some(p) = self
            .lookup_complex(&decl.ty)
            .and_then(|ct| ct.content.as_ref())
        {
            self.collect_names(p, &mut out);
        }
        out
    }

    fn collect_names<'a>(&'a self, p: &Particle, out: &mut Vec<&'a str>) {
        match p {
            Particle::Element { decl, .. } => {
                let n = self.decls[*decl].name.as_str();
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            Particle::Sequence { items, .. } | Particle::Choice { items, .. } => {
                for i in items {
                    self.collect_names(i, out);
                }
            }
        }
    }

    fn find_decl(&self, p: &Particle, name: &str) -> Option<usize> {
        match p {
            Particle::Element { decl, .. } => (self.decls[*decl].name == name).then_some(*decl),
            Particle::Sequence { items, .. } | Particle::Choice { items, .. } => {
                items.iter().find_map(|i| self.find_decl(i, name))
            }
        }
    }

    /// Check a whole document tree; empty when it is valid.
    pub fn validate(&self, root: &Element) -> Vec<SchemaIssue> {
        let mut v = Validator {
            schema: self,
            issues: Vec::new(),
        };
        if root.ns != FA_NS || root.name != "Faktura" {
            v.push(
                &root.name,
                root.offset,
                IssueKind::WrongRoot {
                    ns: root.ns.clone(),
                    name: root.name.clone(),
                },
            );
            return v.issues;
        }
        v.element(root, self.root, "Faktura".to_owned());
        v.issues
    }
}

fn clone_particle(p: &Particle) -> Particle {
    match p {
        Particle::Element { decl, min, max } => Particle::Element {
            decl: *decl,
            min: *min,
            max: *max,
        },
        Particle::Sequence { items, min, max } => Particle::Sequence {
            items: items.iter().map(clone_particle).collect(),
            min: *min,
            max: *max,
        },
        Particle::Choice { items, min, max } => Particle::Choice {
            items: items.iter().map(clone_particle).collect(),
            min: *min,
            max: *max,
        },
    }
}

enum SimpleRef<'a> {
    Builtin(Builtin),
    Derived(&'a SimpleType),
}

struct Validator<'s> {
    schema: &'s Schema,
    issues: Vec<SchemaIssue>,
}

struct MatchCtx {
    furthest: usize,
    expected: Vec<String>,
}

impl<'s> Validator<'s> {
    fn push(&mut self, path: &str, offset: u64, kind: IssueKind) {
        if self.issues.len() < MAX_ISSUES {
            self.issues.push(SchemaIssue {
                path: path.to_owned(),
                offset,
                kind,
            });
        } else if self.issues.len() == MAX_ISSUES {
            self.issues.push(SchemaIssue {
                path: path.to_owned(),
                offset,
                kind: IssueKind::TooManyIssues,
            });
        }
    }

    fn element(&mut self, el: &Element, decl: usize, path: String) {
        if self.issues.len() > MAX_ISSUES {
            return;
        }
        let schema = self.schema;
        let d = &schema.decls[decl];
        if let Some(ct) = schema.lookup_complex(&d.ty) {
            self.attributes(el, &ct.attrs, &path);
            if let Some(simple) = &ct.simple {
                self.simple_value(el, simple, &path);
                return;
            }
            if !el.text.trim().is_empty() {
                self.push(&path, el.offset, IssueKind::TextNotAllowed);
            }
            let kids: Vec<&Element> = el.children.iter().collect();
            for k in &kids {
                if k.ns != FA_NS {
                    self.push(
                        &format!("{path}/{}", k.name),
                        k.offset,
                        IssueKind::WrongNamespace(k.ns.clone()),
                    );
                }
            }
            let Some(content) = &ct.content else {
                if let Some(k) = kids.first() {
                    self.push(
                        &path,
                        k.offset,
                        IssueKind::Unexpected {
                            element: k.name.clone(),
                            expected: vec![],
                        },
                    );
                }
                return;
            };
            let mut ctx = MatchCtx {
                furthest: 0,
                expected: Vec::new(),
            };
            let ends = self.match_particle(content, &kids, &BTreeSet::from([0]), &mut ctx);
            if !ends.contains(&kids.len()) {
                let mut expected = ctx.expected.clone();
                expected.dedup();
                match kids.get(ctx.furthest) {
                    Some(k) => self.push(
                        &format!("{path}/{}", k.name),
                        k.offset,
                        IssueKind::Unexpected {
                            element: k.name.clone(),
                            expected,
                        },
                    ),
                    None => self.push(&path, el.offset, IssueKind::Missing { expected }),
                }
            }
            // Element Declarations Consistent (XSD 1.0) guarantees one type per name
            // within a content model, so each child can be checked on its own.
            let mut totals: HashMap<&str, usize> = HashMap::new();
            for k in &kids {
                *totals.entry(k.name.as_str()).or_insert(0) += 1;
            }
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for k in &kids {
                let Some(cd) = schema.find_decl(content, &k.name) else {
                    continue;
                };
                let n = seen.entry(k.name.as_str()).or_insert(0);
                *n += 1;
                let multiple = totals.get(k.name.as_str()).copied().unwrap_or(0) > 1;
                let child_path = if multiple {
                    format!("{path}/{}[{n}]", k.name)
                } else {
                    format!("{path}/{}", k.name)
                };
                self.element(k, cd, child_path);
            }
        } else {
            self.attributes(el, &[], &path);
            self.simple_value(el, &d.ty, &path);
        }
    }

    fn attributes(&mut self, el: &Element, decls: &[AttrDecl], path: &str) {
        for a in &el.attrs {
            if a.ns == XSI_NS {
                continue;
            }
            match decls.iter().find(|d| d.name == a.name && a.ns.is_empty()) {
                None => self.push(path, el.offset, IssueKind::UnknownAttribute(a.name.clone())),
                Some(d) => {
                    if let Some(f) = &d.fixed {
                        if &a.value != f {
                            self.push(
                                path,
                                el.offset,
                                IssueKind::BadValue {
                                    value: a.value.clone(),
                                    rule: format!("attribute {} must be {f:?}", a.name),
                                },
                            );
                        }
                    }
                    if let Some(t) = &d.ty {
                        if let Some(rule) = self.check_simple(&a.value, t) {
                            self.push(
                                path,
                                el.offset,
                                IssueKind::BadValue {
                                    value: a.value.clone(),
                                    rule,
                                },
                            );
                        }
                    }
                }
            }
        }
        for d in decls.iter().filter(|d| d.required) {
            if el.attr(&d.name).is_none() {
                self.push(path, el.offset, IssueKind::MissingAttribute(d.name.clone()));
            }
        }
    }

    fn simple_value(&mut self, el: &Element, ty: &TypeRef, path: &str) {
        if !el.children.is_empty() {
            self.push(path, el.offset, IssueKind::ChildrenNotAllowed);
            return;
        }
        if let Some(rule) = self.check_simple(&el.text, ty) {
            let mut value: String = el.text.chars().take(80).collect();
            if el.text.chars().count() > 80 {
                value.push('…');
            }
            self.push(path, el.offset, IssueKind::BadValue { value, rule });
        }
    }

    /// `None` when `raw` is a valid value of `ty`, else the broken rule.
    fn check_simple(&self, raw: &str, ty: &TypeRef) -> Option<String> {
        // Walk the derivation chain; each step's facets apply to the value
        // normalised by the most specific whiteSpace rule.
        let mut chain: Vec<&SimpleType> = Vec::new();
        let mut builtin = Builtin::String;
        let mut cur = self.schema.lookup_simple(ty);
        let mut guard = 0;
        while let Some(r) = cur {
            guard += 1;
            if guard > 32 {
                return Some("type derivation too deep".into());
            }
            match r {
                SimpleRef::Builtin(b) => {
                    builtin = b;
                    cur = None;
                }
                SimpleRef::Derived(st) => {
                    chain.push(st);
                    if st.any {
                        return None;
                    }
                    if let Some(b) = st.builtin {
                        builtin = b;
                        cur = None;
                    } else {
                        cur = st.base.as_ref().and_then(|b| self.schema.lookup_simple(b));
                    }
                }
            }
        }
        let ws = chain
            .iter()
            .find_map(|s| s.whitespace)
            .unwrap_or(builtin.whitespace());
        let value = normalise(raw, ws);
        if let Some(rule) = check_builtin(&value, builtin) {
            return Some(rule);
        }
        for st in &chain {
            if let Some(rule) = check_facets(&value, st, builtin) {
                return Some(rule);
            }
        }
        None
    }

    fn match_particle(
        &self,
        p: &Particle,
        kids: &[&Element],
        starts: &BTreeSet<usize>,
        ctx: &mut MatchCtx,
    ) -> BTreeSet<usize> {
        let (min, max) = match p {
            Particle::Element { min, max, .. }
            | Particle::Sequence { min, max, .. }
            | Particle::Choice { min, max, .. } => (*min, *max),
        };
        let mut result = if min == 0 {
            starts.clone()
        } else {
            BTreeSet::new()
        };
        let mut current = starts.clone();
        // Each useful repetition consumes at least one child, so more than
        // kids.len()+1 rounds can never add a new end position.
        let cap = max.min((kids.len() as u32).saturating_add(1).max(min));
        let mut i = 0;
        while i < cap {
            i += 1;
            let next = self.match_once(p, kids, &current, ctx);
            if next.is_empty() {
                break;
            }
            if i >= min {
                result.extend(next.iter().copied());
            }
            if next == current {
                if i < min {
                    // An emptiable particle can repeat up to min without consuming.
                    result.extend(next.iter().copied());
                }
                break;
            }
            current = next;
        }
        result
    }

    fn match_once(
        &self,
        p: &Particle,
        kids: &[&Element],
        starts: &BTreeSet<usize>,
        ctx: &mut MatchCtx,
    ) -> BTreeSet<usize> {
        match p {
            Particle::Element { decl, .. } => {
                let name = &self.schema.decls[*decl].name;
                let mut out = BTreeSet::new();
                for &s in starts {
                    match kids.get(s) {
                        Some(k) if &k.name == name => {
                            out.insert(s + 1);
                            if s + 1 > ctx.furthest {
                                ctx.furthest = s + 1;
                                ctx.expected.clear();
                            }
                        }
                        _ => {
                            if s > ctx.furthest {
                                ctx.furthest = s;
                                ctx.expected.clear();
                            }
                            if s == ctx.furthest && !ctx.expected.contains(name) {
                                ctx.expected.push(name.clone());
                            }
                        }
                    }
                }
                out
            }
            Particle::Sequence { items, .. } => {
                let mut cur = starts.clone();
                for it in items {
                    cur = self.match_particle(it, kids, &cur, ctx);
                    if cur.is_empty() {
                        break;
                    }
                }
                cur
            }
            Particle::Choice { items, .. } => {
                let mut out = BTreeSet::new();
                for it in items {
                    out.extend(self.match_particle(it, kids, starts, ctx));
                }
                out
            }
        }
    }
}

fn normalise(raw: &str, ws: Ws) -> String {
    match ws {
        Ws::Preserve => raw.to_owned(),
        Ws::Replace => raw
            .chars()
            .map(|c| {
                if matches!(c, '\t' | '\n' | '\r') {
                    ' '
                } else {
                    c
                }
            })
            .collect(),
        Ws::Collapse => raw
            .split([' ', '\t', '\n', '\r'])
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn is_decimal_lexical(v: &str) -> bool {
    let body = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !(int.is_empty() && frac.is_none_or(str::is_empty)) && digits(int) && frac.is_none_or(digits)
}

fn is_integer_lexical(v: &str) -> bool {
    let body = v.strip_prefix(['-', '+']).unwrap_or(v);
    !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit())
}

fn check_builtin(v: &str, b: Builtin) -> Option<String> {
    let ok = match b {
        Builtin::String | Builtin::NormalizedString | Builtin::Token => true,
        Builtin::Decimal => is_decimal_lexical(v),
        Builtin::Integer => is_integer_lexical(v),
        Builtin::NonNegativeInteger => is_integer_lexical(v) && !v.starts_with('-') || v == "-0",
        Builtin::Byte => is_integer_lexical(v) && v.parse::<i8>().is_ok(),
        Builtin::Int => is_integer_lexical(v) && v.parse::<i32>().is_ok(),
        Builtin::Date => parse_date(v).is_some(),
        Builtin::DateTime => parse_datetime(v).is_some(),
        Builtin::GYear => v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()),
    };
    (!ok).then(|| format!("not a valid {b:?} value"))
}

/// `YYYY-MM-DD` (an optional `Z`/offset is tolerated as XSD allows it).
pub(crate) fn parse_date(v: &str) -> Option<chrono::NaiveDate> {
    let core = v.get(..10)?;
    let rest = &v[10..];
    if !(rest.is_empty()
        || rest == "Z"
        || (rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-'))))
    {
        return None;
    }
    chrono::NaiveDate::parse_from_str(core, "%Y-%m-%d").ok()
}

/// `xsd:dateTime` as UTC; values without a zone are taken as UTC.
pub(crate) fn parse_datetime(v: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(v) {
        return Some(dt.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

fn cmp_values(a: &str, b: &str, builtin: Builtin) -> Option<std::cmp::Ordering> {
    if builtin.numeric() {
        let a: Decimal = a.parse().ok()?;
        let b: Decimal = b.parse().ok()?;
        return Some(a.cmp(&b));
    }
    match builtin {
        Builtin::Date => Some(parse_date(a)?.cmp(&parse_date(b)?)),
        Builtin::DateTime => Some(parse_datetime(a)?.cmp(&parse_datetime(b)?)),
        _ => Some(a.cmp(b)),
    }
}

fn check_facets(v: &str, st: &SimpleType, builtin: Builtin) -> Option<String> {
    if !st.enums.is_empty() && !st.enums.iter().any(|e| e == v) {
        let shown: Vec<&str> = st.enums.iter().take(15).map(String::as_str).collect();
        let more = if st.enums.len() > 15 { ", …" } else { "" };
        return Some(format!("must be one of {}{more}", shown.join(", ")));
    }
    if !st.patterns.is_empty() && !st.patterns.iter().any(|r| r.is_match(v)) {
        return Some(format!(
            "must match pattern {}",
            st.pattern_src.join(" or ")
        ));
    }
    let len = v.chars().count();
    if let Some(l) = st.length {
        if len != l {
            return Some(format!("length must be {l}"));
        }
    }
    if let Some(l) = st.min_len {
        if len < l {
            return Some(format!("must have at least {l} characters"));
        }
    }
    if let Some(l) = st.max_len {
        if len > l {
            return Some(format!("must have at most {l} characters (has {len})"));
        }
    }
    if st.total_digits.is_some() || st.fraction_digits.is_some() {
        let body = v.trim_start_matches(['-', '+']);
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let frac = frac.trim_end_matches('0');
        let int = int.trim_start_matches('0');
        if let Some(t) = st.total_digits {
            if (int.len() + frac.len()) as u32 > t {
                return Some(format!("at most {t} digits"));
            }
        }
        if let Some(f) = st.fraction_digits {
            if frac.len() as u32 > f {
                return Some(format!("at most {f} decimal places"));
            }
        }
    }
    let bound = |limit: &Option<String>, bad: fn(std::cmp::Ordering) -> bool, what: &str| {
        limit
            .as_ref()
            .and_then(|l| match cmp_values(v, l, builtin) {
                Some(o) if bad(o) => Some(format!("{what} {l}")),
                _ => None,
            })
    };
    bound(&st.min_incl, |o| o.is_lt(), "must be at least")
        .or_else(|| bound(&st.max_incl, |o| o.is_gt(), "must be at most"))
        .or_else(|| bound(&st.min_excl, |o| o.is_le(), "must be greater than"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(xml: &str) -> Vec<String> {
        let el = xml::read(xml.as_bytes(), xml::Limits::default()).unwrap();
        schema()
            .unwrap()
            .validate(&el)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn schema_compiles_and_knows_the_order_of_fa() {
        let s = schema().unwrap();
        let order = s.child_order(&["Fa"]);
        assert_eq!(order.first(), Some(&"KodWaluty"));
        assert!(
            order.iter().position(|n| *n == "P_15") < order.iter().position(|n| *n == "FaWiersz")
        );
        assert_eq!(
            s.child_order(&["Podmiot1", "AdresKoresp"]),
            vec!["KodKraju", "AdresL1", "AdresL2", "GLN"]
        );
    }

    #[test]
    fn polish_messages_name_the_element() {
        let el = xml::read(br#"<Faktura xmlns="urn:other"/>"#, xml::Limits::default()).unwrap();
        let issue = &schema().unwrap().validate(&el)[0];
        assert!(
            issue
                .message_pl()
                .starts_with("Faktura: elementem głównym musi być Faktura"),
            "{}",
            issue.message_pl()
        );
    }

    #[test]
    fn wrong_root_is_reported() {
        let got = issues(r#"<Faktura xmlns="urn:other"/>"#);
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("root must be Faktura"), "{got:?}");
    }

    #[test]
    fn facets() {
        let s = schema().unwrap();
        let v = Validator {
            schema: s,
            issues: vec![],
        };
        let t = |n: &str, ns: &str| TypeRef::Named((ns.to_owned(), n.to_owned()));
        assert_eq!(v.check_simple("5265877635", &t("TNrNIP", ETD_NS)), None);
        assert!(v.check_simple("0265877635", &t("TNrNIP", ETD_NS)).is_some());
        assert_eq!(v.check_simple("-12.50", &t("TKwotowy", FA_NS)), None);
        assert!(v.check_simple("1.005", &t("TKwotowy", FA_NS)).is_some());
        assert_eq!(v.check_simple(" 23 ", &t("TStawkaPodatku", FA_NS)), None);
        assert!(v.check_simple("24", &t("TStawkaPodatku", FA_NS)).is_some());
        assert!(v.check_simple("2005-12-31", &t("TDataT", FA_NS)).is_some());
        assert_eq!(v.check_simple("2026-02-28", &t("TDataT", FA_NS)), None);
        assert!(v.check_simple("2026-02-30", &t("TDataT", FA_NS)).is_some());
        assert!(v.check_simple("", &t("TZnakowy", FA_NS)).is_some());
        assert_eq!(v.check_simple("PLN", &t("TKodWaluty", FA_NS)), None);
        assert!(v.check_simple("ABC", &t("TKodWaluty", FA_NS)).is_some());
    }
}
