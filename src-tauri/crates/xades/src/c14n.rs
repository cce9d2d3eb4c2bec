//! XML canonicalisation (Canonical XML 1.0 and 1.1, Exclusive XML Canonicalization 1.0) of a
//! whole document or one element's subtree, optionally leaving one subtree out (the
//! enveloped signature). No maintained pure-Rust crate does exclusive c14n of node
//! subsets (xml-canonicalization 0.1 does inclusive c14n of whole documents only;
//! bergshamra needs Rust 1.88 and a newer RustCrypto generation), so it is here, on top of
//! roxmltree's tree. Prefixes are read from the input text because roxmltree resolves
//! them away.

use std::collections::BTreeMap;

use roxmltree::{Node, NodeId, NodeType};

pub(crate) const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const EXC_C14N_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
pub(crate) const C14N_10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const C14N_10_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
const C14N_11: &str = "http://www.w3.org/2006/12/xml-c14n11";
const C14N_11_COMMENTS: &str = "http://www.w3.org/2006/12/xml-c14n11#WithComments";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Canonical XML 1.0: all in-scope namespaces; a subset's apex inherits the xml:*
    /// attributes of its ancestors.
    Inclusive10,
    /// Canonical XML 1.1: as 1.0, but xml:id and xml:base are not inherited. (1.1 would
    /// join inherited xml:base values; a subset under an xml:base ancestor therefore
    /// fails to verify instead of being misjudged.)
    Inclusive11,
    /// Exclusive c14n: only the namespaces an element visibly uses.
    Exclusive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Method {
    pub kind: Kind,
    pub comments: bool,
}

impl Method {
    pub(crate) const EXCLUSIVE: Self = Self {
        kind: Kind::Exclusive,
        comments: false,
    };

    pub(crate) fn from_uri(uri: &str) -> Option<Self> {
        let (kind, comments) = match uri {
            EXC_C14N => (Kind::Exclusive, false),
            EXC_C14N_COMMENTS => (Kind::Exclusive, true),
            C14N_10 => (Kind::Inclusive10, false),
            C14N_10_COMMENTS => (Kind::Inclusive10, true),
            C14N_11 => (Kind::Inclusive11, false),
            C14N_11_COMMENTS => (Kind::Inclusive11, true),
            _ => return None,
        };
        Some(Self { kind, comments })
    }

    /// The same method without comments: same-document references drop comments before
    /// any transform runs (XML-DSig 4.4.3.3).
    pub(crate) fn without_comments(self) -> Self {
        Self {
            comments: false,
            ..self
        }
    }
}

/// Prefix → namespace URI as rendered by the output ancestors ("" is the default
/// namespace).
type Rendered<'a> = BTreeMap<&'a str, &'a str>;

/// Canonical form of `apex` (the document root for a whole document, or an element for
/// its subtree), without the subtree `exclude`.
pub(crate) fn canonicalize(apex: Node<'_, '_>, exclude: Option<NodeId>, method: Method) -> String {
    enum Step<'a, 'i> {
        Open(Node<'a, 'i>),
        Close(Node<'a, 'i>),
    }
    let input = apex.document().input_text();
    let mut out = String::new();
    let mut stack: Vec<Rendered<'_>> = vec![Rendered::new()];
    let mut after_root_element = false;
    // An explicit work list instead of recursion: deep documents cannot overflow the stack.
    let mut work = vec![Step::Open(apex)];
    while let Some(step) = work.pop() {
        let node = match step {
            Step::Close(node) => {
                out.push_str("</");
                out.push_str(qname(input, node));
                out.push('>');
                stack.pop();
                if node.parent().is_some_and(|p| p.is_root()) {
                    after_root_element = true;
                }
                continue;
            }
            Step::Open(node) => node,
        };
        let at_document_level = node.parent().is_some_and(|p| p.is_root());
        match node.node_type() {
            NodeType::Root => {}
            NodeType::Element => {
                let parent = stack.last().cloned().unwrap_or_default();
                let rendered = start_tag(input, node, node == apex, &parent, method, &mut out);
                stack.push(rendered);
                work.push(Step::Close(node));
            }
            NodeType::Text => {
                if !at_document_level {
                    escape_text(node.text().unwrap_or_default(), &mut out);
                }
            }
            NodeType::Comment => {
                if method.comments {
                    if at_document_level && after_root_element {
                        out.push('\n');
                    }
                    out.push_str("<!--");
                    out.push_str(node.text().unwrap_or_default());
                    out.push_str("-->");
                    if at_document_level && !after_root_element {
                        out.push('\n');
                    }
                }
            }
            NodeType::PI => {
                if let Some(pi) = node.pi() {
                    if at_document_level && after_root_element {
                        out.push('\n');
                    }
                    out.push_str("<?");
                    out.push_str(pi.target);
                    if let Some(value) = pi.value {
                        out.push(' ');
                        out.push_str(value);
                    }
                    out.push_str("?>");
                    if at_document_level && !after_root_element {
                        out.push('\n');
                    }
                }
            }
        }
        if matches!(node.node_type(), NodeType::Root | NodeType::Element) {
            let children: Vec<Node<'_, '_>> = node
                .children()
                .filter(|c| Some(c.id()) != exclude)
                .collect();
            work.extend(children.into_iter().rev().map(Step::Open));
        }
    }
    out
}

/// The element's name as written (prefix:local), read from the input.
fn qname<'a>(input: &'a str, node: Node<'a, '_>) -> &'a str {
    let start = node.range().start + 1;
    let rest = input.get(start..).unwrap_or_default();
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(rest.len());
    &rest[..end]
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(p, _)| p)
}

/// The namespace bound to `prefix` on `node` ("" when unbound / default undeclared).
fn binding<'a>(node: Node<'a, '_>, prefix: &str) -> &'a str {
    node.namespaces()
        .find(|ns| ns.name().unwrap_or_default() == prefix)
        .map_or("", |ns| ns.uri())
}

/// Writes the start tag and returns the namespace context rendered for the children.
fn start_tag<'a>(
    input: &'a str,
    node: Node<'a, '_>,
    is_apex: bool,
    parent: &Rendered<'a>,
    method: Method,
    out: &mut String,
) -> Rendered<'a> {
    let name = qname(input, node);
    let mut rendered = parent.clone();
    // Namespace declarations to write, sorted by prefix ("" first).
    let mut decls: BTreeMap<&'a str, &'a str> = BTreeMap::new();
    let consider = |prefix: &'a str, uri: &'a str, decls: &mut BTreeMap<&'a str, &'a str>| {
        let current = parent.get(prefix).copied().unwrap_or("");
        if current != uri {
            decls.insert(prefix, uri);
        }
    };
    if method.kind == Kind::Exclusive {
        // Only the namespaces the element and its attributes visibly use.
        let element_prefix = prefix_of(name);
        consider(element_prefix, binding(node, element_prefix), &mut decls);
        for attr in node.attributes() {
            let attr_qname = input.get(attr.range_qname()).unwrap_or_default();
            let p = prefix_of(attr_qname);
            if !p.is_empty() && p != "xml" {
                consider(p, binding(node, p), &mut decls);
            }
        }
    } else {
        for ns in node.namespaces() {
            let prefix = ns.name().unwrap_or_default();
            if prefix != "xml" {
                consider(prefix, ns.uri(), &mut decls);
            }
        }
        if !node.namespaces().any(|ns| ns.name().is_none()) {
            consider("", "", &mut decls);
        }
    }
    for (prefix, uri) in &decls {
        rendered.insert(prefix, uri);
    }

    out.push('<');
    out.push_str(name);
    for (prefix, uri) in &decls {
        if prefix.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(prefix);
            out.push_str("=\"");
        }
        escape_attr(uri, out);
        out.push('"');
    }
    // Attributes sorted by (namespace URI, local name); unqualified ones have "" and
    // come first.
    let mut attrs: Vec<(&str, &str, &str, &str)> = node
        .attributes()
        .map(|a| {
            (
                a.namespace().unwrap_or(""),
                a.name(),
                input.get(a.range_qname()).unwrap_or_default(),
                a.value(),
            )
        })
        .collect();
    if is_apex && method.kind != Kind::Exclusive {
        // Canonical XML carries xml:* attributes of omitted ancestors into a subset.
        let inherited = |name: &str| match method.kind {
            Kind::Inclusive11 => name == "lang" || name == "space",
            _ => true,
        };
        for ancestor in node.ancestors().skip(1) {
            for a in ancestor.attributes() {
                if a.namespace() == Some(XML_NS)
                    && inherited(a.name())
                    && !attrs
                        .iter()
                        .any(|(ns, local, _, _)| *ns == XML_NS && *local == a.name())
                {
                    attrs.push((
                        XML_NS,
                        a.name(),
                        input.get(a.range_qname()).unwrap_or_default(),
                        a.value(),
                    ));
                }
            }
        }
    }
    attrs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (_, _, qname, value) in attrs {
        out.push(' ');
        out.push_str(qname);
        out.push_str("=\"");
        escape_attr(value, out);
        out.push('"');
    }
    out.push('>');
    rendered
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attr(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(xml: &str, kind: Kind) -> String {
        let doc = roxmltree::Document::parse(xml).unwrap();
        canonicalize(
            doc.root(),
            None,
            Method {
                kind,
                comments: false,
            },
        )
    }

    #[test]
    fn whole_document_forms() {
        let xml = "<?xml version=\"1.0\"?>\n<?pi data?><a:r xmlns:a=\"urn:a\" xmlns:unused=\"urn:u\" b=\"1\" a:c='x&amp;\"' ><!-- c --><e/>t&gt;&#13;</a:r>";
        assert_eq!(
            c14n(xml, Kind::Exclusive),
            "<?pi data?>\n<a:r xmlns:a=\"urn:a\" b=\"1\" a:c=\"x&amp;&quot;\"><e></e>t&gt;&#xD;</a:r>"
        );
        assert_eq!(
            c14n(xml, Kind::Inclusive10),
            "<?pi data?>\n<a:r xmlns:a=\"urn:a\" xmlns:unused=\"urn:u\" b=\"1\" a:c=\"x&amp;&quot;\"><e></e>t&gt;&#xD;</a:r>"
        );
    }

    #[test]
    fn exclusive_subset_declares_only_used_namespaces_and_undeclares_default() {
        let xml = r#"<r xmlns="urn:d" xmlns:x="urn:x"><x:s><i xmlns=""/><x:k/></x:s></r>"#;
        let doc = roxmltree::Document::parse(xml).unwrap();
        let s = doc
            .descendants()
            .find(|n| n.has_tag_name(("urn:x", "s")))
            .unwrap();
        assert_eq!(
            canonicalize(s, None, Method::EXCLUSIVE),
            r#"<x:s xmlns:x="urn:x"><i></i><x:k></x:k></x:s>"#
        );
        let inclusive = Method {
            kind: Kind::Inclusive10,
            comments: false,
        };
        assert_eq!(
            canonicalize(s, None, inclusive),
            r#"<x:s xmlns="urn:d" xmlns:x="urn:x"><i xmlns=""></i><x:k></x:k></x:s>"#
        );
    }

    #[test]
    fn excluded_subtree_is_left_out() {
        let xml = r#"<r><a>1</a><sig><x/></sig><b/></r>"#;
        let doc = roxmltree::Document::parse(xml).unwrap();
        let sig = doc.descendants().find(|n| n.has_tag_name("sig")).unwrap();
        assert_eq!(
            canonicalize(doc.root(), Some(sig.id()), Method::EXCLUSIVE),
            "<r><a>1</a><b></b></r>"
        );
    }

    #[test]
    fn subset_apex_inherits_xml_attributes_per_version() {
        let xml = r#"<r xml:lang="pl" xml:id="r1"><s a="1">x</s></r>"#;
        let doc = roxmltree::Document::parse(xml).unwrap();
        let s = doc.descendants().find(|n| n.has_tag_name("s")).unwrap();
        let method = |kind| Method {
            kind,
            comments: true,
        };
        assert_eq!(
            canonicalize(s, None, method(Kind::Inclusive10)),
            r#"<s a="1" xml:id="r1" xml:lang="pl">x</s>"#
        );
        assert_eq!(
            canonicalize(s, None, method(Kind::Inclusive11)),
            r#"<s a="1" xml:lang="pl">x</s>"#
        );
        assert_eq!(
            canonicalize(s, None, method(Kind::Exclusive)),
            r#"<s a="1">x</s>"#
        );
    }
}
