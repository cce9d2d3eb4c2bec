//! A small, hardened XML element tree: the only place that touches `quick-xml`.
//!
//! FA(3) has no mixed content, so an element is a name, attributes, children and
//! the text directly inside it. Reading refuses DOCTYPE (and with it every custom
//! entity), caps input size, depth and element count, and resolves namespaces so
//! the schema layer only ever sees (namespace, local name) pairs.

use std::fmt::Write as _;

use quick_xml::events::Event;
use quick_xml::Reader;

/// Limits that keep hostile input from exhausting memory or the stack.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest accepted document in bytes.
    pub max_bytes: usize,
    /// Deepest accepted element nesting (FA(3) itself needs 8).
    pub max_depth: usize,
    /// Most elements in one document.
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // KSeF accepts at most 3 MB (with attachments); 16 MiB leaves room for
        // archives exported elsewhere while bounding memory (~ a few x input).
        Self {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 64,
            max_elements: 2_000_000,
        }
    }
}

/// One element of the tree. Equality ignores source offsets and the
/// insignificant whitespace between child elements.
#[derive(Debug, Clone, Default)]
pub struct Element {
    /// Namespace URI the element is in (empty when none).
    pub ns: String,
    /// Local name.
    pub name: String,
    /// Attributes other than namespace declarations: (namespace, local name, value).
    pub attrs: Vec<Attr>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Text directly inside this element (concatenated, entities resolved).
    pub text: String,
    /// Byte offset of the start tag in the source (0 for built elements).
    pub offset: u64,
}

impl PartialEq for Element {
    fn eq(&self, other: &Self) -> bool {
        let text_eq = if self.children.is_empty() && other.children.is_empty() {
            self.text == other.text
        } else {
            self.text.trim() == other.text.trim()
        };
        self.ns == other.ns
            && self.name == other.name
            && self.attrs == other.attrs
            && text_eq
            && self.children == other.children
    }
}

impl Eq for Element {}

/// An attribute of an [`Element`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// Namespace URI (empty for unprefixed attributes).
    pub ns: String,
    /// Local name.
    pub name: String,
    /// Unescaped value.
    pub value: String,
}

impl Element {
    /// A new element in namespace `ns`.
    pub fn new(ns: &str, name: &str) -> Self {
        Self {
            ns: ns.to_owned(),
            name: name.to_owned(),
            ..Self::default()
        }
    }

    /// A leaf element holding `text`.
    pub fn leaf(ns: &str, name: &str, text: impl Into<String>) -> Self {
        Self {
            ns: ns.to_owned(),
            name: name.to_owned(),
            text: text.into(),
            ..Self::default()
        }
    }

    /// First child with local name `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with local name `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Text of the first child named `name`, trimmed.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// Value of the unqualified attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name && a.ns.is_empty())
            .map(|a| a.value.as_str())
    }
}

/// Why the bytes are not a well-formed, acceptable XML document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Input larger than [`Limits::max_bytes`].
    #[error("document too large: {size} bytes, limit {limit}")]
    TooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Nesting deeper than [`Limits::max_depth`].
    #[error("element <{element}> nested too deeply (limit {limit}) at byte {offset}")]
    TooDeep {
        /// Element that crossed the limit.
        element: String,
        /// The limit.
        limit: usize,
        /// Byte offset.
        offset: u64,
    },
    /// More elements than [`Limits::max_elements`].
    #[error("too many elements (limit {limit})")]
    TooManyElements {
        /// The limit.
        limit: usize,
    },
    /// A DOCTYPE declaration; refused because DTDs enable entity expansion attacks.
    #[error("DOCTYPE declarations are not allowed (byte {offset})")]
    Doctype {
        /// Byte offset.
        offset: u64,
    },
    /// An entity reference other than the five XML ones or a character reference.
    #[error("unknown entity &{name}; inside <{element}> at byte {offset}")]
    Entity {
        /// Entity name.
        name: String,
        /// Enclosing element.
        element: String,
        /// Byte offset.
        offset: u64,
    },
    /// The document declares an encoding other than UTF-8.
    #[error("unsupported encoding {0:?}: FA(3) documents must be UTF-8")]
    Encoding(String),
    /// Bytes are not UTF-8.
    #[error("invalid UTF-8 near byte {offset}")]
    Utf8 {
        /// Byte offset.
        offset: u64,
    },
    /// A namespace prefix without declaration.
    #[error("undeclared namespace prefix {prefix:?} on <{element}> at byte {offset}")]
    UnboundPrefix {
        /// The prefix.
        prefix: String,
        /// Element name as written.
        element: String,
        /// Byte offset.
        offset: u64,
    },
    /// No root element, or content after it.
    #[error("{0}")]
    Structure(String),
    /// Anything `quick-xml` reports (mismatched tags, bad syntax, ...).
    #[error("malformed XML at byte {offset}: {message}")]
    Syntax {
        /// What the tokenizer said.
        message: String,
        /// Byte offset.
        offset: u64,
    },
}

const XMLNS_URI: &str = "http://www.w3.org/2000/xmlns/";
const XML_URI: &str = "http://www.w3.org/XML/1998/namespace";

/// Parse `input` into an element tree under `limits`.
pub fn read(input: &[u8], limits: Limits) -> Result<Element, XmlError> {
    if input.len() > limits.max_bytes {
        return Err(XmlError::TooLarge {
            size: input.len(),
            limit: limits.max_bytes,
        });
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut reader = Reader::from_reader(input);
    reader.config_mut().check_end_names = true;
    reader.config_mut().expand_empty_elements = false;

    // Stack of open elements and of namespace scopes (prefix -> uri).
    let mut stack: Vec<Element> = Vec::new();
    let mut scopes: Vec<Vec<(String, String)>> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;

    loop {
        let offset = reader.buffer_position();
        let event = reader.read_event().map_err(|e| XmlError::Syntax {
            message: e.to_string(),
            offset,
        })?;
        match event {
            Event::Decl(decl) => {
                if let Some(Ok(enc)) = decl.encoding() {
                    let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                    if enc != "utf-8" && enc != "utf8" {
                        return Err(XmlError::Encoding(enc));
                    }
                }
            }
            Event::DocType(_) => return Err(XmlError::Doctype { offset }),
            Event::Start(_) | Event::Empty(_) => {
                let (start, is_empty) = match event {
                    Event::Start(s) => (s, false),
                    Event::Empty(s) => (s, true),
                    _ => continue,
                };
                if root.is_some() {
                    return Err(XmlError::Structure("content after the root element".into()));
                }
                count += 1;
                if count > limits.max_elements {
                    return Err(XmlError::TooManyElements {
                        limit: limits.max_elements,
                    });
                }
                let qname = utf8(start.name().as_ref(), offset)?.to_owned();
                if stack.len() >= limits.max_depth {
                    return Err(XmlError::TooDeep {
                        element: qname,
                        limit: limits.max_depth,
                        offset,
                    });
                }
                let mut scope = Vec::new();
                let mut raw_attrs = Vec::new();
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| XmlError::Syntax {
                        message: e.to_string(),
                        offset,
                    })?;
                    let key = utf8(attr.key.as_ref(), offset)?.to_owned();
                    let value = attr
                        .unescape_value()
                        .map_err(|e| XmlError::Syntax {
                            message: e.to_string(),
                            offset,
                        })?
                        .into_owned();
                    if key == "xmlns" {
                        scope.push((String::new(), value));
                    } else if let Some(p) = key.strip_prefix("xmlns:") {
                        scope.push((p.to_owned(), value));
                    } else {
                        raw_attrs.push((key, value));
                    }
                }
                scopes.push(scope);
                let (prefix, local) = split_qname(&qname);
                let ns = resolve(&scopes, prefix).ok_or_else(|| XmlError::UnboundPrefix {
                    prefix: prefix.to_owned(),
                    element: qname.clone(),
                    offset,
                })?;
                let mut attrs = Vec::with_capacity(raw_attrs.len());
                for (key, value) in raw_attrs {
                    let (p, l) = split_qname(&key);
                    // Unprefixed attributes are in no namespace (XML Namespaces 6.2).
                    let ans = if p.is_empty() {
                        String::new()
                    } else {
                        resolve(&scopes, p).ok_or_else(|| XmlError::UnboundPrefix {
                            prefix: p.to_owned(),
                            element: qname.clone(),
                            offset,
                        })?
                    };
                    attrs.push(Attr {
                        ns: ans,
                        name: l.to_owned(),
                        value,
                    });
                }
                let el = Element {
                    ns,
                    name: local.to_owned(),
                    attrs,
                    children: Vec::new(),
                    text: String::new(),
                    offset,
                };
                if is_empty {
                    scopes.pop();
                    attach(&mut stack, &mut root, el);
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                scopes.pop();
                let el = stack.pop().ok_or_else(|| XmlError::Syntax {
                    message: "unexpected end tag".into(),
                    offset,
                })?;
                attach(&mut stack, &mut root, el);
            }
            Event::Text(text) => {
                let s = utf8(&text, offset)?;
                push_text(&mut stack, s)?;
            }
            Event::CData(data) => {
                let s = utf8(&data, offset)?;
                if stack.is_empty() {
                    return Err(XmlError::Structure("CDATA outside the root element".into()));
                }
                push_text(&mut stack, s)?;
            }
            Event::GeneralRef(r) => {
                let name = utf8(&r, offset)?.to_owned();
                let element = stack.last().map(|e| e.name.clone()).unwrap_or_default();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_xml_entity(&name) {
                        Some(s) => s.to_owned(),
                        None => {
                            return Err(XmlError::Entity {
                                name,
                                element,
                                offset,
                            })
                        }
                    },
                    Err(e) => {
                        return Err(XmlError::Syntax {
                            message: e.to_string(),
                            offset,
                        });
                    }
                };
                if stack.is_empty() {
                    return Err(XmlError::Structure(
                        "entity reference outside the root".into(),
                    ));
                }
                push_text(&mut stack, &resolved)?;
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Syntax {
            message: format!(
                "unclosed element <{}>",
                stack.last().map(|e| e.name.as_str()).unwrap_or("")
            ),
            offset: input.len() as u64,
        });
    }
    root.ok_or_else(|| XmlError::Structure("no root element".into()))
}

fn push_text(stack: &mut [Element], s: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(top) => {
            top.text.push_str(s);
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => Err(XmlError::Structure("text outside the root element".into())),
    }
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn utf8(bytes: &[u8], offset: u64) -> Result<&str, XmlError> {
    std::str::from_utf8(bytes).map_err(|_| XmlError::Utf8 { offset })
}

fn split_qname(q: &str) -> (&str, &str) {
    match q.split_once(':') {
        Some((p, l)) => (p, l),
        None => ("", q),
    }
}

fn resolve(scopes: &[Vec<(String, String)>], prefix: &str) -> Option<String> {
    match prefix {
        "xml" => return Some(XML_URI.to_owned()),
        "xmlns" => return Some(XMLNS_URI.to_owned()),
        _ => {}
    }
    for scope in scopes.iter().rev() {
        if let Some((_, uri)) = scope.iter().rev().find(|(p, _)| p == prefix) {
            return Some(uri.clone());
        }
    }
    // The default namespace is "no namespace" unless declared.
    prefix.is_empty().then(String::new)
}

/// Serialise `root` as UTF-8 XML with a declaration, the root's namespace as the
/// default namespace, two-space indentation and no insignificant text.
pub fn write(root: &Element) -> String {
    let mut out = String::with_capacity(8 * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    write_el(&mut out, root, 0, Some(&root.ns));
    out.push('\n');
    out
}

fn write_el(out: &mut String, el: &Element, depth: usize, declare: Option<&str>) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push('<');
    out.push_str(&el.name);
    if let Some(ns) = declare {
        if !ns.is_empty() {
            let _ = write!(out, " xmlns=\"{}\"", escape_attr(ns));
        }
    }
    let mut extra_prefixes = 0usize;
    for a in &el.attrs {
        if a.ns.is_empty() {
            let _ = write!(out, " {}=\"{}\"", a.name, escape_attr(&a.value));
        } else if a.ns == XML_URI {
            let _ = write!(out, " xml:{}=\"{}\"", a.name, escape_attr(&a.value));
        } else {
            // Attributes in other namespaces get a fresh prefix on this element.
            extra_prefixes += 1;
            let _ = write!(
                out,
                " xmlns:a{n}=\"{}\" a{n}:{}=\"{}\"",
                escape_attr(&a.ns),
                a.name,
                escape_attr(&a.value),
                n = extra_prefixes
            );
        }
    }
    if el.children.is_empty() {
        if el.text.is_empty() {
            out.push_str("/>");
        } else {
            out.push('>');
            out.push_str(&escape_text(&el.text));
            let _ = write!(out, "</{}>", el.name);
        }
        return;
    }
    out.push('>');
    if !el.text.trim().is_empty() {
        out.push_str(&escape_text(&el.text));
    }
    for c in &el.children {
        out.push('\n');
        let decl = if c.ns != el.ns {
            Some(c.ns.as_str())
        } else {
            None
        };
        write_el(out, c, depth + 1, decl);
    }
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
    let _ = write!(out, "</{}>", el.name);
}

/// Escape `&`, `<`, `>` and `\r` (so that a CR survives line-end normalisation).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}

fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_err(input: &str, expected: &str) {
        let err = read(input.as_bytes(), Limits::default()).unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }

    #[test]
    fn reads_namespaces_text_and_entities() {
        let el = read(
            br#"<?xml version="1.0" encoding="UTF-8"?><a xmlns="urn:x" xmlns:p="urn:p"><p:b k="1&amp;2">x &lt; y &#x41;<![CDATA[<z>]]></p:b><c/></a>"#,
            Limits::default(),
        )
        .unwrap();
        assert_eq!(el.ns, "urn:x");
        assert_eq!(el.children[0].ns, "urn:p");
        assert_eq!(el.children[0].text, "x < y A<z>");
        assert_eq!(el.children[0].attrs[0].value, "1&2");
        assert_eq!(el.children[1].name, "c");
        assert!(el.children[1].children.is_empty());
    }

    #[test]
    fn refuses_hostile_input() {
        check_err(r#"<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>"#, "DOCTYPE");
        check_err("<a>&x;</a>", "unknown entity");
        check_err("<a><b></a>", "malformed");
        check_err("<a></a><b/>", "after the root");
        check_err("", "no root");
        check_err("<p:a/>", "undeclared namespace prefix");
        check_err(
            r#"<?xml version="1.0" encoding="ISO-8859-2"?><a/>"#,
            "encoding",
        );
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        check_err(&deep, "nested too deeply");
        let err = read(
            b"<a/>",
            Limits {
                max_bytes: 2,
                ..Limits::default()
            },
        )
        .unwrap_err();
        assert!(matches!(err, XmlError::TooLarge { .. }));
    }

    #[test]
    fn writes_what_it_reads() {
        let src = r#"<a xmlns="urn:x"><b k="&quot;q&quot;">1 &amp; 2</b><c/></a>"#;
        let el = read(src.as_bytes(), Limits::default()).unwrap();
        let out = write(&el);
        let again = read(out.as_bytes(), Limits::default()).unwrap();
        assert_eq!(el, again);
    }
}
