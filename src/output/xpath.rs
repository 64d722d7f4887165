//! virsh's `--xpath EXPR [--wrap]` option of the `*dumpxml` commands.
//!
//! virsh (9.0, `virshDumpXML`) parses the XML text it would have printed with
//! libxml2 (blank text nodes dropped, as with `xmlKeepBlanksDefault(0)`), sets
//! the XPath context node to the root element, evaluates the expression with
//! `xmlXPathEval`, and prints every node of the resulting node-set serialised
//! by `xmlNodeDump(..., level 0, format 1)` followed by a newline.  With
//! `--wrap` the nodes are copied under a new `<nodes>` root element which is
//! printed the same way.
//!
//! This module reproduces that byte for byte: a small arena tree read with
//! quick-xml that mimics libxml2's blank-node heuristics, libxml2's formatted
//! serialiser, its XPath 1.0 compiler (including the cursor positions used in
//! its error messages and its habit of carrying on after some errors), its
//! "streaming pattern" shortcut for simple paths (a trailing `|` is ignored,
//! `.//.` leaves out the context node), and an evaluator for the whole XPath
//! 1.0 core: every axis, node tests, predicates, unions, operators and all
//! core functions (`id()` finds nothing: these documents declare no IDs).
//!
//! Known differences: virsh prints freed memory for namespace nodes (we print
//! `(null)` as it mostly does) and crashes when asked to `--wrap` them (we
//! leave them out); expressions nested more than 5000 operations deep may hit
//! libxml2's recursion limit at a slightly different depth.
//!
//! Use [`evaluate`] when the exact stderr text matters, [`select`] otherwise.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// What virsh prints for a successful `--xpath` evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XPathOutput {
    /// Text for stdout, including every trailing newline (may be empty).
    pub stdout: String,
    /// libxml2 diagnostics virsh leaves on stderr (printed verbatim, without
    /// any `error: ` prefix; empty when the expression was fine).  virsh still
    /// exits 0 in that case: an expression libxml2 rejects (for example
    /// `//[bad`) yields `XPath error : Invalid expression\n//[bad\n  ^\n` here,
    /// and an empty stdout (`<nodes/>\n` with `--wrap`).
    pub stderr: String,
}

/// Applies virsh's `--xpath`/`--wrap` to an XML document; returns the exact text
/// virsh prints (including trailing newlines) or an error message (without the
/// `error: ` prefix).
///
/// * No match prints nothing (`<nodes/>\n` with `wrap`).
/// * A result that is not a node-set (`count(//disk)`, `true()`, `'x'`) is
///   `Err("internal error: Incorrect xpath 'EXPR'")`; virsh exits 1.
/// * An empty expression is `Err("")`: virsh fails (exit 1) printing no message.
/// * An expression libxml2 cannot compile or evaluate (`//[bad`, `foo()`,
///   `$var`, `//p:x` with an unknown prefix) is *not* an error for virsh: it
///   prints libxml2's diagnostics on stderr, nothing on stdout, and exits 0.
///   `select` returns `Ok` with that (empty) stdout and drops the diagnostics;
///   use [`evaluate`] to get them.
/// * Malformed XML is `Err` with a short description.
pub fn select(xml: &str, expr: &str, wrap: bool) -> Result<String, String> {
    evaluate(xml, expr, wrap).map(|o| o.stdout)
}

/// Like [`select`], but also returns the libxml2 diagnostics virsh writes to
/// stderr (see [`XPathOutput::stderr`]).  `Err` cases are those of [`select`].
pub fn evaluate(xml: &str, expr: &str, wrap: bool) -> Result<XPathOutput, String> {
    // Deeply nested expressions recurse deeply (libxml2 allows 5000 levels);
    // run on a thread with a generous stack so that can never overflow.
    let (x, e) = (xml.to_owned(), expr.to_owned());
    let spawned = std::thread::Builder::new()
        .name("virsh-xpath".into())
        .stack_size(256 << 20)
        .spawn(move || evaluate_inner(&x, &e, wrap));
    match spawned {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|_| Err("internal error: XPath evaluation failed".to_string())),
        Err(_) => evaluate_inner(xml, expr, wrap),
    }
}

fn evaluate_inner(xml: &str, expr: &str, wrap: bool) -> Result<XPathOutput, String> {
    // Both strings travel as C strings in virsh.
    let expr = expr.split('\0').next().unwrap_or("");
    let xml = xml.split('\0').next().unwrap_or("");
    if expr.is_empty() {
        return Err(String::new());
    }
    let doc = Doc::parse(xml)?;
    let mut stderr = String::new();
    let value = run_xpath(&doc, expr, &mut stderr);
    let nodes = match value {
        None => Vec::new(),
        Some(Val::Nodes(n)) => n,
        Some(_) => return Err(format!("internal error: Incorrect xpath '{expr}'")),
    };
    let stdout = if wrap {
        let mut s = wrap_nodes(&doc, &nodes);
        s.push('\n');
        s
    } else {
        let mut s = String::new();
        for &n in &nodes {
            s.push_str(&dump(&doc, n));
            s.push('\n');
        }
        s
    };
    Ok(XPathOutput { stdout, stderr })
}

/// Compiles and evaluates like `xmlXPathEval`; `None` when libxml2 reports an
/// error (diagnostics appended to `stderr`).
fn run_xpath(doc: &Doc, expr: &str, stderr: &mut String) -> Option<Val> {
    let mut ev = Eval {
        doc,
        depth: 0,
        stderr: String::new(),
    };
    if let Some(paths) = stream_compile(expr) {
        return Some(Val::Nodes(ev.stream(&paths)));
    }
    let mut c = Compiler::new(expr);
    let ast = c.compile_expr(true);
    if !c.error && c.cur() != 0 {
        c.err(XpErr::Expr);
    }
    if c.error {
        stderr.push_str(&c.msgs);
        return None;
    }
    let ctx = Ctx {
        node: doc.root,
        pos: -1,
        size: -1,
    };
    let r = ev.eval(&ast, &ctx);
    stderr.push_str(&ev.stderr);
    r.ok()
}

// ---------------------------------------------------------------------------
// Document tree
// ---------------------------------------------------------------------------

const NONE: usize = usize::MAX;
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// libxml2's XPATH_MAX_RECURSION_DEPTH.
const MAX_DEPTH: u32 = 5000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Document,
    Element,
    Attribute,
    Text,
    CData,
    Comment,
    Pi,
    /// XPath namespace node (prefix in `prefix`, URI in `value`).
    Namespace,
}

#[derive(Clone, Debug)]
struct Node {
    kind: Kind,
    parent: usize,
    /// Local name (element, attribute), target (PI).
    name: String,
    /// Prefix written on output (element, attribute).
    prefix: Option<String>,
    /// Namespace URI (element, attribute).
    ns: Option<String>,
    /// Content (text, CDATA, comment, attribute value, PI data).
    value: Option<String>,
    children: Vec<usize>,
    attrs: Vec<usize>,
    /// Namespace nodes (namespace axis) of an element.
    ns_nodes: Vec<usize>,
    /// Namespace declarations on this element: (prefix, URI).
    ns_defs: Vec<(Option<String>, String)>,
    /// Last arena index inside this node's subtree (source tree only).
    end: usize,
}

impl Node {
    fn new(kind: Kind, parent: usize) -> Node {
        Node {
            kind,
            parent,
            name: String::new(),
            prefix: None,
            ns: None,
            value: None,
            children: Vec::new(),
            attrs: Vec::new(),
            ns_nodes: Vec::new(),
            ns_defs: Vec::new(),
            end: 0,
        }
    }
}

/// Arena tree; index 0 is the document node.  In a parsed document the arena
/// order is document order (an element, then its attributes, then its
/// children), so node-sets are kept sorted by index.
#[derive(Clone, Debug)]
struct Doc {
    nodes: Vec<Node>,
    root: usize,
    version: String,
    standalone: i32,
    /// The XML declaration named an encoding.
    encoding: bool,
}

impl Doc {
    fn empty() -> Doc {
        Doc {
            nodes: vec![Node::new(Kind::Document, NONE)],
            root: NONE,
            version: "1.0".into(),
            standalone: -1,
            encoding: false,
        }
    }

    fn add(&mut self, mut node: Node) -> usize {
        let id = self.nodes.len();
        node.end = id;
        let parent = node.parent;
        let kind = node.kind;
        self.nodes.push(node);
        if parent != NONE {
            match kind {
                Kind::Attribute => self.nodes[parent].attrs.push(id),
                Kind::Namespace => self.nodes[parent].ns_nodes.push(id),
                _ => self.nodes[parent].children.push(id),
            }
        }
        id
    }

    fn kind(&self, n: usize) -> Kind {
        self.nodes[n].kind
    }

    fn parse(xml: &str) -> Result<Doc, String> {
        let text = normalize_newlines(xml);
        let mut p = Parser {
            doc: Doc::empty(),
            stack: vec![0],
            space: vec![-1],
            scopes: Vec::new(),
            pending: None,
        };
        let mut reader = Reader::from_str(&text);
        reader.config_mut().check_comments = true;
        loop {
            let ev = reader.read_event().map_err(|e| format!("XML error: {e}"))?;
            if let Some(raw) = p.pending.take() {
                let next_is_end = matches!(ev, Event::End(_));
                p.text(&raw, next_is_end)?;
            }
            match ev {
                Event::Eof => break,
                Event::Decl(d) => {
                    if let Ok(v) = d.version() {
                        p.doc.version = String::from_utf8_lossy(&v).into_owned();
                    }
                    p.doc.encoding = d.encoding().is_some();
                    if let Some(Ok(s)) = d.standalone() {
                        p.doc.standalone = match &*s {
                            b"yes" => 1,
                            b"no" => 0,
                            _ => -1,
                        };
                    }
                }
                Event::Start(e) => {
                    p.start(&e)?;
                }
                Event::Empty(e) => {
                    p.start(&e)?;
                    p.end();
                }
                Event::End(_) => {
                    if p.stack.len() <= 1 {
                        return Err("XML error: unexpected end tag".into());
                    }
                    p.end();
                }
                Event::Text(t) => {
                    let raw = std::str::from_utf8(&t)
                        .map_err(|e| format!("XML error: {e}"))?
                        .to_owned();
                    if p.stack.len() == 1 {
                        if !raw.bytes().all(is_blank) {
                            return Err("XML error: content outside the root element".into());
                        }
                    } else {
                        p.pending = Some(raw);
                    }
                }
                Event::CData(c) => {
                    if p.stack.len() == 1 {
                        return Err("XML error: CDATA outside the root element".into());
                    }
                    let s = String::from_utf8_lossy(&c).into_owned();
                    p.add_leaf(Kind::CData, String::new(), Some(s));
                }
                Event::Comment(c) => {
                    let s = String::from_utf8_lossy(&c).into_owned();
                    p.add_leaf(Kind::Comment, String::new(), Some(s));
                }
                Event::PI(pi) => {
                    let target = String::from_utf8_lossy(pi.target()).into_owned();
                    let content = pi.content();
                    let data = if content.is_empty() {
                        None
                    } else {
                        let s = String::from_utf8_lossy(content);
                        Some(s.trim_start_matches([' ', '\t', '\n', '\r']).to_owned())
                    };
                    p.add_leaf(Kind::Pi, target, data);
                }
                Event::DocType(_) => {}
            }
        }
        if p.stack.len() != 1 {
            return Err("XML error: premature end of data".into());
        }
        if p.doc.root == NONE {
            return Err("XML error: no root element".into());
        }
        Ok(p.doc)
    }
}

/// XML line-end normalisation (`\r\n` and lone `\r` become `\n`).
fn normalize_newlines(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\r') {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out.into()
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

struct Parser {
    doc: Doc,
    /// Open elements (0 = document).
    stack: Vec<usize>,
    /// libxml2's `spaceTab`: -1 default, -2 "saw significant text", 0/1 xml:space.
    space: Vec<i8>,
    /// Namespace declarations in scope, with the stack depth that declared them.
    scopes: Vec<(usize, Option<String>, String)>,
    /// Text waiting for the next event (libxml2 peeks at what follows it).
    pending: Option<String>,
}

impl Parser {
    fn current(&self) -> usize {
        *self.stack.last().unwrap_or(&0)
    }

    fn lookup(&self, prefix: Option<&str>) -> Option<String> {
        if prefix == Some("xml") {
            return Some(XML_NS.into());
        }
        self.scopes
            .iter()
            .rev()
            .find(|(_, p, _)| p.as_deref() == prefix)
            .map(|(_, _, u)| u.clone())
            .filter(|u| !u.is_empty() || prefix.is_some())
    }

    fn start(&mut self, e: &BytesStart) -> Result<(), String> {
        let parent = self.current();
        // libxml2's xmlParserMaxDepth.
        if self.stack.len() - 1 > 256 {
            return Err(
                "XML error: Excessive depth in document: 256 use XML_PARSE_HUGE option".into(),
            );
        }
        if parent == 0 && self.doc.root != NONE {
            return Err("XML error: extra content at the end of the document".into());
        }
        let qname = std::str::from_utf8(e.name().as_ref())
            .map_err(|e| format!("XML error: {e}"))?
            .to_owned();
        let depth = self.stack.len();
        let mut attrs: Vec<(String, String)> = Vec::new();
        let mut ns_defs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|e| format!("XML error: {e}"))?;
            let key = std::str::from_utf8(a.key.as_ref())
                .map_err(|e| format!("XML error: {e}"))?
                .to_owned();
            let raw = std::str::from_utf8(&a.value).map_err(|e| format!("XML error: {e}"))?;
            let value = decode_attr(raw)?;
            if key == "xmlns" {
                ns_defs.push((None, value.clone()));
                self.scopes.push((depth, None, value));
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                ns_defs.push((Some(p.to_owned()), value.clone()));
                self.scopes.push((depth, Some(p.to_owned()), value));
            } else {
                attrs.push((key, value));
            }
        }
        let inherited = *self.space.last().unwrap_or(&-1);
        self.space
            .push(if inherited == -2 { -1 } else { inherited });

        let mut node = Node::new(Kind::Element, parent);
        match split_qname(&qname) {
            Some((p, local)) => match self.lookup(Some(p)) {
                Some(uri) => {
                    node.prefix = Some(p.to_owned());
                    node.name = local.to_owned();
                    node.ns = Some(uri);
                }
                None => node.name = qname.clone(),
            },
            None => {
                node.name = qname.clone();
                node.ns = self.lookup(None);
            }
        }
        node.ns_defs = ns_defs;
        let id = self.doc.add(node);
        if parent == 0 {
            self.doc.root = id;
        }
        // libxml2's namespace axis: the xml namespace, then the in-scope
        // declarations (xmlGetNsList order, reversed).
        let mut in_scope: Vec<(Option<String>, String)> = Vec::new();
        for level in (0..=depth).rev() {
            for (_, p, u) in self.scopes.iter().filter(|s| s.0 == level) {
                if !in_scope.iter().any(|(q, _)| q == p) {
                    in_scope.push((p.clone(), u.clone()));
                }
            }
        }
        in_scope.push((Some("xml".into()), XML_NS.into()));
        for (p, u) in in_scope.into_iter().rev() {
            let mut nsn = Node::new(Kind::Namespace, id);
            nsn.prefix = p;
            nsn.value = Some(u);
            self.doc.add(nsn);
        }
        for (key, value) in attrs {
            let mut a = Node::new(Kind::Attribute, id);
            match split_qname(&key) {
                Some((p, local)) => match self.lookup(Some(p)) {
                    Some(uri) => {
                        a.prefix = Some(p.to_owned());
                        a.name = local.to_owned();
                        a.ns = Some(uri);
                    }
                    None => a.name = key.clone(),
                },
                None => a.name = key.clone(),
            }
            if a.ns.as_deref() == Some(XML_NS) && a.name == "space" {
                if let Some(s) = self.space.last_mut() {
                    match value.as_str() {
                        "default" => *s = 0,
                        "preserve" => *s = 1,
                        _ => {}
                    }
                }
            }
            a.value = Some(value);
            self.doc.add(a);
        }
        self.stack.push(id);
        Ok(())
    }

    fn end(&mut self) {
        let depth = self.stack.len() - 1;
        if let Some(id) = self.stack.pop() {
            if id != 0 {
                self.doc.nodes[id].end = self.doc.nodes.len() - 1;
            }
        }
        self.space.pop();
        while self.scopes.last().is_some_and(|s| s.0 >= depth) {
            self.scopes.pop();
        }
    }

    fn add_leaf(&mut self, kind: Kind, name: String, value: Option<String>) {
        let parent = self.current();
        if kind == Kind::CData {
            if let Some(&last) = self.doc.nodes[parent].children.last() {
                if self.doc.nodes[last].kind == Kind::CData {
                    let add = value.unwrap_or_default();
                    self.doc.nodes[last]
                        .value
                        .get_or_insert_with(String::new)
                        .push_str(&add);
                    return;
                }
            }
        }
        let mut n = Node::new(kind, parent);
        n.name = name;
        n.value = value;
        self.doc.add(n);
    }

    fn append_text(&mut self, s: &str) {
        let parent = self.current();
        if let Some(&last) = self.doc.nodes[parent].children.last() {
            if self.doc.nodes[last].kind == Kind::Text {
                self.doc.nodes[last]
                    .value
                    .get_or_insert_with(String::new)
                    .push_str(s);
                return;
            }
        }
        let mut n = Node::new(Kind::Text, parent);
        n.value = Some(s.to_owned());
        self.doc.add(n);
    }

    fn mark_space(&mut self) {
        if let Some(s) = self.space.last_mut() {
            if *s == -1 {
                *s = -2;
            }
        }
    }

    /// libxml2's `areBlanks()` for a blank run followed by `<`.
    fn are_blanks(&self, next_is_end: bool) -> bool {
        let sp = *self.space.last().unwrap_or(&-1);
        if sp == 1 || sp == -2 {
            return false;
        }
        let node = &self.doc.nodes[self.current()];
        if node.kind != Kind::Element {
            return false;
        }
        if node.children.is_empty() && next_is_end {
            return false;
        }
        match (node.children.last(), node.children.first()) {
            (Some(&l), _) if self.doc.nodes[l].kind == Kind::Text => false,
            (_, Some(&f)) if self.doc.nodes[f].kind == Kind::Text => false,
            _ => true,
        }
    }

    /// Character data between two pieces of markup, split the way libxml2's
    /// `xmlParseCharData` / `xmlParseReference` deliver it.
    fn text(&mut self, raw: &str, next_is_end: bool) -> Result<(), String> {
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            self.char_run(&rest[..amp], false, next_is_end);
            let after = &rest[amp + 1..];
            let semi = after
                .find(';')
                .ok_or("XML error: unterminated entity reference")?;
            let decoded = decode_ref(&after[..semi])?;
            self.append_text(&decoded);
            rest = &after[semi + 1..];
        }
        self.char_run(rest, true, next_is_end);
        Ok(())
    }

    fn char_run(&mut self, run: &str, before_markup: bool, next_is_end: bool) {
        if run.is_empty() {
            return;
        }
        let split = run.bytes().position(|b| b >= 0x80).unwrap_or(run.len());
        let (ascii, rest) = run.split_at(split);
        if !ascii.is_empty() {
            if is_blank(ascii.as_bytes()[0]) {
                let blank = ascii.bytes().all(is_blank) && rest.is_empty() && before_markup;
                if !(blank && self.are_blanks(next_is_end)) {
                    self.append_text(ascii);
                    self.mark_space();
                }
            } else {
                self.append_text(ascii);
            }
        }
        if !rest.is_empty() {
            self.append_text(rest);
            self.mark_space();
        }
    }
}

fn split_qname(q: &str) -> Option<(&str, &str)> {
    let (p, l) = q.split_once(':')?;
    if p.is_empty() || l.is_empty() {
        None
    } else {
        Some((p, l))
    }
}

fn decode_ref(r: &str) -> Result<String, String> {
    let bad = || format!("XML error: invalid reference '&{r};'");
    let code = if let Some(hex) = r.strip_prefix("#x") {
        u32::from_str_radix(hex, 16).map_err(|_| bad())?
    } else if let Some(dec) = r.strip_prefix('#') {
        dec.parse::<u32>().map_err(|_| bad())?
    } else {
        return match r {
            "lt" => Ok("<".into()),
            "gt" => Ok(">".into()),
            "amp" => Ok("&".into()),
            "apos" => Ok("'".into()),
            "quot" => Ok("\"".into()),
            _ => Err(format!("XML error: Entity '{r}' not defined")),
        };
    };
    char::from_u32(code)
        .filter(|&c| c != '\0')
        .map(String::from)
        .ok_or_else(bad)
}

/// Attribute value: references decoded, literal white space normalised to spaces.
fn decode_attr(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    loop {
        let amp = rest.find('&');
        let lit = &rest[..amp.unwrap_or(rest.len())];
        if lit.contains('<') {
            return Err("XML error: '<' in attribute value".into());
        }
        out.extend(lit.chars().map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        }));
        let Some(amp) = amp else { break };
        let after = &rest[amp + 1..];
        let semi = after
            .find(';')
            .ok_or("XML error: unterminated entity reference")?;
        out.push_str(&decode_ref(&after[..semi])?);
        rest = &after[semi + 1..];
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Serialisation (xmlNodeDump with format = 1)
// ---------------------------------------------------------------------------

fn dump(doc: &Doc, n: usize) -> String {
    let mut s = Ser {
        doc,
        out: String::new(),
        level: 0,
        format: true,
        source: true,
        ascii_attrs: !doc.encoding,
    };
    s.node(n, true);
    s.out
}

struct Ser<'a> {
    doc: &'a Doc,
    out: String,
    level: usize,
    format: bool,
    /// Dumping the parsed document itself (not the `--wrap` copy).
    source: bool,
    /// Write non-ASCII attribute characters as character references, as
    /// libxml2 does for a document without a declared encoding (the `--wrap`
    /// copy never has one).  While the parsed document node is dumped its
    /// encoding is temporarily UTF-8.
    ascii_attrs: bool,
}

impl Ser<'_> {
    fn indent(&mut self) {
        for _ in 0..2 * self.level.min(30) {
            self.out.push(' ');
        }
    }

    fn qname(&mut self, n: &Node) {
        if let Some(p) = &n.prefix {
            self.out.push_str(p);
            self.out.push(':');
        }
        self.out.push_str(&n.name);
    }

    fn node(&mut self, id: usize, is_root: bool) {
        let doc = self.doc;
        let n = &doc.nodes[id];
        match n.kind {
            Kind::Document => self.document(id),
            Kind::Element => {
                if !is_root && self.format {
                    self.indent();
                }
                self.out.push('<');
                self.qname(n);
                for (p, href) in &n.ns_defs {
                    if p.as_deref() == Some("xml") {
                        continue;
                    }
                    self.out.push_str(" xmlns");
                    if let Some(p) = p {
                        self.out.push(':');
                        self.out.push_str(p);
                    }
                    self.out.push('=');
                    quoted(&mut self.out, href);
                }
                for &a in &n.attrs {
                    self.attr(a);
                }
                if n.children.is_empty() {
                    self.out.push_str("/>");
                    return;
                }
                let saved = self.format;
                let mut unformatted = false;
                if self.format
                    && n.children
                        .iter()
                        .any(|&c| matches!(doc.kind(c), Kind::Text | Kind::CData))
                {
                    self.format = false;
                    unformatted = true;
                }
                self.out.push('>');
                if self.format {
                    self.out.push('\n');
                }
                self.level += 1;
                for &c in &n.children {
                    self.node(c, false);
                    if self.format {
                        self.out.push('\n');
                    }
                }
                self.level = self.level.saturating_sub(1);
                if self.format {
                    self.indent();
                }
                self.out.push_str("</");
                self.qname(n);
                self.out.push('>');
                if unformatted {
                    self.format = saved;
                }
            }
            Kind::Text => escape_text(&mut self.out, n.value.as_deref().unwrap_or("")),
            Kind::Pi => {
                if !is_root && self.format {
                    self.indent();
                }
                self.out.push_str("<?");
                self.out.push_str(&n.name);
                if let Some(v) = &n.value {
                    self.out.push(' ');
                    self.out.push_str(v);
                }
                self.out.push_str("?>");
            }
            Kind::Comment => {
                if !is_root && self.format {
                    self.indent();
                }
                self.out.push_str("<!--");
                self.out.push_str(n.value.as_deref().unwrap_or(""));
                self.out.push_str("-->");
            }
            Kind::CData => cdata(&mut self.out, n.value.as_deref().unwrap_or("")),
            Kind::Attribute => self.attr(id),
            // virsh's copies of namespace nodes are freed before printing;
            // it ends up printing a NULL string.
            Kind::Namespace => self.out.push_str("(null)"),
        }
    }

    fn attr(&mut self, id: usize) {
        let n = &self.doc.nodes[id];
        self.out.push(' ');
        self.qname(n);
        self.out.push_str("=\"");
        escape_attr(
            &mut self.out,
            n.value.as_deref().unwrap_or(""),
            self.ascii_attrs,
        );
        self.out.push('"');
    }

    /// xmlDocContentDumpOutput.
    fn document(&mut self, id: usize) {
        self.out.push_str("<?xml version=");
        let version = self.doc.version.clone();
        quoted(&mut self.out, &version);
        self.out.push_str(" encoding=\"UTF-8\"");
        match self.doc.standalone {
            0 => self.out.push_str(" standalone=\"no\""),
            1 => self.out.push_str(" standalone=\"yes\""),
            _ => {}
        }
        self.out.push_str("?>\n");
        let doc = self.doc;
        let saved = self.ascii_attrs;
        if self.source {
            self.ascii_attrs = false;
        }
        for &c in &doc.nodes[id].children {
            self.level = 0;
            self.node(c, true);
            self.out.push('\n');
        }
        self.ascii_attrs = saved;
    }
}

/// xmlBufWriteQuotedString.
fn quoted(out: &mut String, s: &str) {
    if s.contains('"') {
        if s.contains('\'') {
            out.push('"');
            out.push_str(&s.replace('"', "&quot;"));
            out.push('"');
        } else {
            out.push('\'');
            out.push_str(s);
            out.push('\'');
        }
    } else {
        out.push('"');
        out.push_str(s);
        out.push('"');
    }
}

/// xmlEscapeContent.
fn escape_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

fn is_xml_char(v: u32) -> bool {
    matches!(v, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// xmlBufAttrSerializeTxtContent for a document without a declared encoding.
fn escape_attr(out: &mut String, s: &str, ascii: bool) {
    for c in s.chars() {
        match c {
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if (c as u32) < 0x80 || !ascii => out.push(c),
            c if is_xml_char(c as u32) => out.push_str(&format!("&#x{:X};", c as u32)),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("&#x{b:X};"));
                }
            }
        }
    }
}

fn cdata(out: &mut String, s: &str) {
    if s.is_empty() {
        out.push_str("<![CDATA[]]>");
        return;
    }
    let b = s.as_bytes();
    let (mut start, mut end) = (0, 0);
    while end < b.len() {
        if b[end..].starts_with(b"]]>") {
            end += 2;
            out.push_str("<![CDATA[");
            out.push_str(&s[start..end]);
            out.push_str("]]>");
            start = end;
        }
        end += 1;
    }
    if start != end {
        out.push_str("<![CDATA[");
        out.push_str(&s[start..]);
        out.push_str("]]>");
    }
}

// ---------------------------------------------------------------------------
// --wrap: copy the nodes under <nodes> (xmlDocCopyNode + xmlAddChild)
// ---------------------------------------------------------------------------

fn wrap_nodes(src: &Doc, nodes: &[usize]) -> String {
    let mut out = Doc::empty();
    out.version = src.version.clone();
    out.standalone = src.standalone;
    let mut root = Node::new(Kind::Element, 0);
    root.name = "nodes".into();
    let root = out.add(root);
    out.root = root;
    for &n in nodes {
        let sn = &src.nodes[n];
        match sn.kind {
            Kind::Attribute => {
                // The copy loses its namespace; an attribute of the same name
                // is replaced and the new one goes last.
                let old: Vec<usize> = out.nodes[root].attrs.clone();
                out.nodes[root].attrs = old
                    .into_iter()
                    .filter(|&a| out.nodes[a].name != sn.name)
                    .collect();
                let mut a = Node::new(Kind::Attribute, root);
                a.name = sn.name.clone();
                a.value = sn.value.clone();
                out.add(a);
            }
            Kind::Namespace => {}
            Kind::Text => {
                if let Some(&last) = out.nodes[root].children.last() {
                    if out.nodes[last].kind == Kind::Text {
                        let add = sn.value.clone().unwrap_or_default();
                        out.nodes[last]
                            .value
                            .get_or_insert_with(String::new)
                            .push_str(&add);
                        continue;
                    }
                }
                copy_node(src, n, &mut out, root, NONE);
            }
            _ => {
                copy_node(src, n, &mut out, root, NONE);
            }
        }
    }
    let mut s = Ser {
        doc: &out,
        out: String::new(),
        level: 0,
        format: true,
        source: false,
        ascii_attrs: true,
    };
    s.node(root, true);
    s.out
}

/// Finds a declaration of `prefix` in scope at `node` of the copy (xmlSearchNs).
fn search_ns(out: &Doc, node: usize, prefix: Option<&str>) -> bool {
    if prefix == Some("xml") {
        return true;
    }
    let mut cur = node;
    while cur != NONE {
        let n = &out.nodes[cur];
        if n.kind == Kind::Element && n.ns_defs.iter().any(|(p, _)| p.as_deref() == prefix) {
            return true;
        }
        cur = n.parent;
    }
    false
}

/// Deep copy of `sid` appended to `parent` of `out`; namespaces used but
/// declared outside the copied subtree are declared on its top element.
fn copy_node(src: &Doc, sid: usize, out: &mut Doc, parent: usize, top: usize) -> usize {
    let sn = &src.nodes[sid];
    let mut n = Node::new(sn.kind, NONE);
    n.name = sn.name.clone();
    n.value = sn.value.clone();
    if sn.kind != Kind::Element {
        let id = out.add(n);
        attach(out, parent, id);
        if sn.kind == Kind::Document {
            for &c in &sn.children {
                let top = if src.kind(c) == Kind::Element {
                    NONE
                } else {
                    top
                };
                copy_node(src, c, out, id, top);
            }
        }
        return id;
    }
    n.ns_defs = sn.ns_defs.clone();
    let id = out.add(n);
    // The node is linked in first, as libxml2 does, so the search sees the
    // new ancestors; the top of the copy has no parent yet.
    out.nodes[id].parent = if top == NONE { NONE } else { parent };
    let top_el = if top == NONE { id } else { top };
    if let Some(uri) = &sn.ns {
        if !search_ns(out, id, sn.prefix.as_deref()) {
            out.nodes[top_el]
                .ns_defs
                .push((sn.prefix.clone(), uri.clone()));
        }
        out.nodes[id].prefix = sn.prefix.clone();
    }
    for &a in &sn.attrs {
        let sa = &src.nodes[a];
        let mut na = Node::new(Kind::Attribute, id);
        na.name = sa.name.clone();
        na.value = sa.value.clone();
        if let Some(uri) = &sa.ns {
            if !search_ns(out, id, sa.prefix.as_deref()) {
                out.nodes[top_el]
                    .ns_defs
                    .push((sa.prefix.clone(), uri.clone()));
            }
            na.prefix = sa.prefix.clone();
        }
        out.add(na);
    }
    for &c in &sn.children {
        copy_node(src, c, out, id, top_el);
    }
    attach(out, parent, id);
    id
}

fn attach(out: &mut Doc, parent: usize, id: usize) {
    if parent == NONE {
        return;
    }
    out.nodes[id].parent = parent;
    if !out.nodes[parent].children.contains(&id) {
        out.nodes[parent].children.push(id);
    }
}

// ---------------------------------------------------------------------------
// XPath expressions
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum XpErr {
    Number,
    UnfinishedLiteral,
    StartLiteral,
    VariableRef,
    UndefVariable,
    InvalidPredicate,
    Expr,
    Unclosed,
    UnknownFunc,
    InvalidType,
    InvalidArity,
    InvalidCtxtSize,
    InvalidCtxtPosition,
    UndefPrefix,
    InvalidChar,
    RecursionLimit,
}

impl XpErr {
    fn message(self) -> &'static str {
        match self {
            XpErr::Number => "Number encoding",
            XpErr::UnfinishedLiteral => "Unfinished literal",
            XpErr::StartLiteral => "Start of literal",
            XpErr::VariableRef => "Expected $ for variable reference",
            XpErr::UndefVariable => "Undefined variable",
            XpErr::InvalidPredicate => "Invalid predicate",
            XpErr::Expr => "Invalid expression",
            XpErr::Unclosed => "Missing closing curly brace",
            XpErr::UnknownFunc => "Unregistered function",
            XpErr::InvalidType => "Invalid type",
            XpErr::InvalidArity => "Invalid number of arguments",
            XpErr::InvalidCtxtSize => "Invalid context size",
            XpErr::InvalidCtxtPosition => "Invalid context position",
            XpErr::UndefPrefix => "Undefined namespace prefix",
            XpErr::InvalidChar => "Char out of XML range",
            XpErr::RecursionLimit => "Recursion limit exceeded",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Axis {
    Ancestor,
    AncestorOrSelf,
    Attribute,
    Child,
    Descendant,
    DescendantOrSelf,
    Following,
    FollowingSibling,
    Namespace,
    Parent,
    Preceding,
    PrecedingSibling,
    SelfNode,
}

impl Axis {
    fn from_name(name: &str) -> Option<Axis> {
        Some(match name {
            "ancestor" => Axis::Ancestor,
            "ancestor-or-self" => Axis::AncestorOrSelf,
            "attribute" => Axis::Attribute,
            "child" => Axis::Child,
            "descendant" => Axis::Descendant,
            "descendant-or-self" => Axis::DescendantOrSelf,
            "following" => Axis::Following,
            "following-sibling" => Axis::FollowingSibling,
            "namespace" => Axis::Namespace,
            "parent" => Axis::Parent,
            "preceding" => Axis::Preceding,
            "preceding-sibling" => Axis::PrecedingSibling,
            "self" => Axis::SelfNode,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Test {
    /// `prefix:name` or `name`.
    Name(Option<String>, String),
    /// `*` or `prefix:*`.
    All(Option<String>),
    Node,
    Text,
    Comment,
    Pi(Option<String>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum ArOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    /// `=` (true) or `!=` (false).
    Eq(Box<Expr>, Box<Expr>, bool),
    /// `<` (inf, strict), `<=` (inf), `>` (strict), `>=`.
    Cmp(Box<Expr>, Box<Expr>, bool, bool),
    Arith(Box<Expr>, Box<Expr>, ArOp),
    Neg(Box<Expr>),
    /// An even number of unary minus signs: just a conversion to number.
    ToNum(Box<Expr>),
    Union(Box<Expr>, Box<Expr>),
    Root,
    Context,
    Step(Box<Expr>, Axis, Test, Vec<Expr>),
    /// Predicate on a primary expression.
    Filter(Box<Expr>, Box<Expr>),
    /// libxml2's XPATH_OP_SORT: no effect on the value (node-sets are always
    /// kept in document order) but it enables the `(...)[1]` and
    /// `(...)[last()]` shortcuts, which skip a type check.
    Sort(Box<Expr>),
    Num(f64),
    Str(String),
    Var(Option<String>, String),
    Func(Option<String>, String, Vec<Expr>),
    Bad,
}

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

impl Drop for Expr {
    /// Iterative, so that very long chains (`1+1+...`) cannot overflow the stack.
    fn drop(&mut self) {
        fn take(e: &mut Expr, out: &mut Vec<Expr>) {
            let mut grab = |b: &mut Box<Expr>| out.push(std::mem::replace(&mut **b, Expr::Bad));
            match e {
                Expr::Or(a, b)
                | Expr::And(a, b)
                | Expr::Eq(a, b, _)
                | Expr::Cmp(a, b, _, _)
                | Expr::Arith(a, b, _)
                | Expr::Union(a, b)
                | Expr::Filter(a, b) => {
                    grab(a);
                    grab(b);
                }
                Expr::Neg(a) | Expr::ToNum(a) | Expr::Sort(a) => grab(a),
                Expr::Step(a, _, _, preds) => {
                    grab(a);
                    out.append(preds);
                }
                Expr::Func(_, _, args) => out.append(args),
                Expr::Root
                | Expr::Context
                | Expr::Num(_)
                | Expr::Str(_)
                | Expr::Var(..)
                | Expr::Bad => {}
            }
        }
        let mut stack = Vec::new();
        take(self, &mut stack);
        while let Some(mut e) = stack.pop() {
            take(&mut e, &mut stack);
        }
    }
}

fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphabetic())
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36F | 0x483..=0x489 | 0x591..=0x5C7 | 0x610..=0x61A | 0x64B..=0x65F
        | 0x670 | 0x6D6..=0x6ED | 0x900..=0x903 | 0x93C..=0x94D | 0x951..=0x954 | 0x962 | 0x963
        | 0x981..=0x983 | 0xE31 | 0xE34..=0xE3A | 0xE47..=0xE4E | 0x20D0..=0x20E1 | 0x302A..=0x302F
        | 0x3099 | 0x309A)
}

fn is_extender(c: char) -> bool {
    matches!(c as u32, 0xB7 | 0x2D0 | 0x2D1 | 0x387 | 0x640 | 0xE46 | 0xEC6 | 0x3005
        | 0x3031..=0x3035 | 0x309D | 0x309E | 0x30FC..=0x30FE)
}

fn is_name_char(c: char, qualified: bool) -> bool {
    is_letter(c)
        || is_digit(c)
        || matches!(c, '.' | '-' | '_')
        || (qualified && c == ':')
        || is_combining(c)
        || is_extender(c)
}

/// A port of libxml2 2.9's XPath compiler (`xmlXPathCompileExpr` and
/// friends): same grammar quirks, same error codes and cursor positions.
struct Compiler<'a> {
    expr: &'a str,
    s: &'a [u8],
    cur: usize,
    error: bool,
    depth: u32,
    msgs: String,
}

impl<'a> Compiler<'a> {
    fn new(expr: &'a str) -> Compiler<'a> {
        Compiler {
            expr,
            s: expr.as_bytes(),
            cur: 0,
            error: false,
            depth: 0,
            msgs: String::new(),
        }
    }

    fn cur(&self) -> u8 {
        self.s.get(self.cur).copied().unwrap_or(0)
    }

    fn nxt(&self, n: usize) -> u8 {
        self.s.get(self.cur + n).copied().unwrap_or(0)
    }

    fn next(&mut self) {
        if self.cur() != 0 {
            self.cur += 1;
        }
    }

    fn skip(&mut self, n: usize) {
        self.cur = (self.cur + n).min(self.s.len());
    }

    fn skip_blanks(&mut self) {
        while is_blank(self.cur()) {
            self.next();
        }
    }

    /// The character at `pos` (UTF-8) and its length; `None` at the end.
    fn char_at(&self, pos: usize) -> Option<(char, usize)> {
        let c = self.expr.get(pos..)?.chars().next()?;
        Some((c, c.len_utf8()))
    }

    /// xmlXPathErr: records the error and prints libxml2's report.
    fn err(&mut self, e: XpErr) {
        self.error = true;
        self.msgs.push_str("XPath error : ");
        self.msgs.push_str(e.message());
        self.msgs.push('\n');
        if self.cur < 100 && self.cur < self.s.len() {
            self.msgs.push_str(self.expr);
            self.msgs.push('\n');
            self.msgs.push_str(&" ".repeat(self.cur));
            self.msgs.push_str("^\n");
        }
    }

    /// xmlXPathCompileExpr.
    fn compile_expr(&mut self, sort: bool) -> Expr {
        if self.depth >= MAX_DEPTH {
            self.err(XpErr::RecursionLimit);
            return Expr::Bad;
        }
        self.depth += 10;
        let mut e = self.and_expr();
        if self.error {
            return e;
        }
        self.skip_blanks();
        while self.cur() == b'o' && self.nxt(1) == b'r' {
            self.skip(2);
            self.skip_blanks();
            let r = self.and_expr();
            if self.error {
                return Expr::Bad;
            }
            e = Expr::Or(bx(e), bx(r));
            self.skip_blanks();
        }
        self.depth -= 10;
        if sort && !matches!(e, Expr::Num(_) | Expr::Str(_)) {
            Expr::Sort(bx(e))
        } else {
            e
        }
    }

    fn and_expr(&mut self) -> Expr {
        let mut e = self.equality_expr();
        if self.error {
            return e;
        }
        self.skip_blanks();
        while self.cur() == b'a' && self.nxt(1) == b'n' && self.nxt(2) == b'd' {
            self.skip(3);
            self.skip_blanks();
            let r = self.equality_expr();
            if self.error {
                return Expr::Bad;
            }
            e = Expr::And(bx(e), bx(r));
            self.skip_blanks();
        }
        e
    }

    fn equality_expr(&mut self) -> Expr {
        let mut e = self.relational_expr();
        if self.error {
            return e;
        }
        self.skip_blanks();
        while self.cur() == b'=' || (self.cur() == b'!' && self.nxt(1) == b'=') {
            let eq = self.cur() == b'=';
            self.next();
            if !eq {
                self.next();
            }
            self.skip_blanks();
            let r = self.relational_expr();
            if self.error {
                return Expr::Bad;
            }
            e = Expr::Eq(bx(e), bx(r), eq);
            self.skip_blanks();
        }
        e
    }

    fn relational_expr(&mut self) -> Expr {
        let mut e = self.additive_expr();
        if self.error {
            return e;
        }
        self.skip_blanks();
        while self.cur() == b'<' || self.cur() == b'>' {
            let inf = self.cur() == b'<';
            let strict = self.nxt(1) != b'=';
            self.next();
            if !strict {
                self.next();
            }
            self.skip_blanks();
            let r = self.additive_expr();
            if self.error {
                return Expr::Bad;
            }
            e = Expr::Cmp(bx(e), bx(r), inf, strict);
            self.skip_blanks();
        }
        e
    }

    fn additive_expr(&mut self) -> Expr {
        let mut e = self.multiplicative_expr();
        if self.error {
            return e;
        }
        self.skip_blanks();
        while self.cur() == b'+' || self.cur() == b'-' {
            let op = if self.cur() == b'+' {
                ArOp::Add
            } else {
                ArOp::Sub
            };
            self.next();
            self.skip_blanks();
            let r = self.multiplicative_expr();
            if self.error {
                return Expr::Bad;
            }
            e = Expr::Arith(bx(e), bx(r), op);
            self.skip_blanks();
        }
        e
    }

    fn multiplicative_expr(&mut self) -> Expr {
        let mut e = self.unary_expr();
        if self.error {
            return e;
        }
        self.skip_blanks();
        loop {
            let op = if self.cur() == b'*' {
                self.next();
                ArOp::Mul
            } else if self.cur() == b'd' && self.nxt(1) == b'i' && self.nxt(2) == b'v' {
                self.skip(3);
                ArOp::Div
            } else if self.cur() == b'm' && self.nxt(1) == b'o' && self.nxt(2) == b'd' {
                self.skip(3);
                ArOp::Mod
            } else {
                break;
            };
            self.skip_blanks();
            let r = self.unary_expr();
            if self.error {
                return Expr::Bad;
            }
            e = Expr::Arith(bx(e), bx(r), op);
            self.skip_blanks();
        }
        e
    }

    fn unary_expr(&mut self) -> Expr {
        let mut minus = false;
        let mut found = false;
        self.skip_blanks();
        while self.cur() == b'-' {
            minus = !minus;
            found = true;
            self.next();
            self.skip_blanks();
        }
        let e = self.union_expr();
        if self.error {
            return e;
        }
        if found {
            if minus {
                Expr::Neg(bx(e))
            } else {
                Expr::ToNum(bx(e))
            }
        } else {
            e
        }
    }

    fn union_expr(&mut self) -> Expr {
        let mut e = self.path_expr();
        if self.error {
            return e;
        }
        self.skip_blanks();
        while self.cur() == b'|' {
            self.next();
            self.skip_blanks();
            let r = self.path_expr();
            e = Expr::Union(bx(e), bx(r));
            self.skip_blanks();
        }
        e
    }

    /// xmlXPathScanName: a name (colons allowed) without consuming it.
    fn scan_name(&self) -> Option<&'a str> {
        let start = self.cur;
        let mut pos = start;
        let (c, _) = self.char_at(pos)?;
        if c == ' ' || c == '>' || c == '/' || (!is_letter(c) && c != '_' && c != ':') {
            return None;
        }
        while let Some((c, l)) = self.char_at(pos) {
            if c == ' ' || c == '>' || c == '/' || !is_name_char(c, true) {
                break;
            }
            pos += l;
        }
        self.expr.get(start..pos)
    }

    fn path_expr(&mut self) -> Expr {
        self.skip_blanks();
        let c = self.cur();
        let lc = if c == b'$'
            || c == b'('
            || c.is_ascii_digit()
            || c == b'\''
            || c == b'"'
            || (c == b'.' && self.nxt(1).is_ascii_digit())
        {
            false
        } else if matches!(c, b'*' | b'/' | b'@' | b'.') {
            true
        } else {
            self.skip_blanks();
            match self.scan_name() {
                Some(name) if name.contains("::") => true,
                Some(name) => {
                    let mut len = name.len();
                    let mut lc = true;
                    while self.nxt(len) != 0 {
                        let ch = self.nxt(len);
                        if is_blank(ch) {
                            len += 1;
                            continue;
                        }
                        if ch == b'(' {
                            lc = matches!(
                                name,
                                "node" | "text" | "comment" | "processing-instruction"
                            );
                        }
                        break;
                    }
                    lc
                }
                None => {
                    self.err(XpErr::Expr);
                    return Expr::Bad;
                }
            }
        };
        let e = if lc {
            let base = if self.cur() == b'/' {
                Expr::Root
            } else {
                Expr::Context
            };
            self.location_path(base)
        } else {
            let mut e = self.filter_expr();
            if self.error {
                return e;
            }
            if self.cur() == b'/' && self.nxt(1) == b'/' {
                self.skip(2);
                self.skip_blanks();
                e = Expr::Step(bx(e), Axis::DescendantOrSelf, Test::Node, Vec::new());
                e = self.relative_location_path(e);
            } else if self.cur() == b'/' {
                e = self.relative_location_path(e);
            }
            e
        };
        self.skip_blanks();
        e
    }

    fn filter_expr(&mut self) -> Expr {
        let mut e = self.primary_expr();
        if self.error {
            return e;
        }
        self.skip_blanks();
        while self.cur() == b'[' {
            let pred = self.predicate(true);
            e = Expr::Filter(bx(e), bx(pred));
            self.skip_blanks();
        }
        e
    }

    fn primary_expr(&mut self) -> Expr {
        self.skip_blanks();
        let c = self.cur();
        let e = if c == b'$' {
            self.variable_reference()
        } else if c == b'(' {
            self.next();
            self.skip_blanks();
            let e = self.compile_expr(true);
            if self.error {
                return e;
            }
            if self.cur() != b')' {
                self.err(XpErr::Expr);
                return Expr::Bad;
            }
            self.next();
            self.skip_blanks();
            e
        } else if c.is_ascii_digit() || (c == b'.' && self.nxt(1).is_ascii_digit()) {
            self.number()
        } else if c == b'\'' || c == b'"' {
            match self.literal() {
                Some(s) => Expr::Str(s),
                None => Expr::Bad,
            }
        } else {
            self.function_call()
        };
        self.skip_blanks();
        e
    }

    /// xmlXPathParseNCName.
    fn ncname(&mut self) -> Option<String> {
        let start = self.cur;
        let c = self.cur();
        if c.is_ascii_alphabetic() || c == b'_' {
            let mut p = start + 1;
            while let Some(&b) = self.s.get(p) {
                if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-') {
                    p += 1;
                } else {
                    break;
                }
            }
            let term = self.s.get(p).copied().unwrap_or(0);
            if matches!(term, b' ' | b'>' | b'/' | b'[' | b']' | b':' | b'@' | b'*') {
                self.cur = p;
                return Some(self.expr[start..p].to_owned());
            }
        }
        self.name_complex(false)
    }

    /// xmlXPathParseNameComplex.
    fn name_complex(&mut self, qualified: bool) -> Option<String> {
        let (c, _) = self.char_at(self.cur)?;
        if matches!(c, ' ' | '>' | '/' | '[' | ']' | '@' | '*')
            || (!is_letter(c) && c != '_' && (!qualified || c != ':'))
        {
            if (c as u32) >= 0x80 && !is_xml_char(c as u32) {
                self.err(XpErr::InvalidChar);
            }
            return None;
        }
        let start = self.cur;
        while let Some((c, l)) = self.char_at(self.cur) {
            if c == ' ' || c == '>' || c == '/' || !is_name_char(c, qualified) {
                break;
            }
            self.cur += l;
            if self.cur - start > 50_000 {
                self.err(XpErr::Expr);
                return None;
            }
        }
        Some(self.expr[start..self.cur].to_owned())
    }

    /// xmlXPathParseQName: (prefix, local name).
    fn qname(&mut self) -> (Option<String>, Option<String>) {
        let first = self.ncname();
        if first.is_some() && self.cur() == b':' {
            self.next();
            let local = self.ncname();
            (first, local)
        } else {
            (None, first)
        }
    }

    /// xmlXPathParseLiteral / xmlXPathCompLiteral.
    fn literal(&mut self) -> Option<String> {
        let q = self.cur();
        if q != b'"' && q != b'\'' {
            self.err(XpErr::StartLiteral);
            return None;
        }
        self.next();
        let start = self.cur;
        while {
            let c = self.cur();
            (c >= 0x20 || c == 0x9 || c == 0xA || c == 0xD) && c != q
        } {
            self.next();
        }
        if self.cur() != q {
            self.err(XpErr::UnfinishedLiteral);
            return None;
        }
        let s = self.expr[start..self.cur].to_owned();
        self.next();
        Some(s)
    }

    /// xmlXPathCompNumber.
    fn number(&mut self) -> Expr {
        if self.error {
            return Expr::Bad;
        }
        let c = self.cur();
        if c != b'.' && !c.is_ascii_digit() {
            self.err(XpErr::Number);
            return Expr::Bad;
        }
        let mut ret = 0.0f64;
        let mut ok = false;
        while self.cur().is_ascii_digit() {
            ret = ret * 10.0 + f64::from(self.cur() - b'0');
            ok = true;
            self.next();
        }
        if self.cur() == b'.' {
            self.next();
            if !self.cur().is_ascii_digit() && !ok {
                self.err(XpErr::Number);
                return Expr::Bad;
            }
            let mut frac = 0i32;
            let mut fraction = 0.0f64;
            while self.cur() == b'0' {
                frac += 1;
                self.next();
            }
            let max = frac + 20;
            while self.cur().is_ascii_digit() && frac < max {
                fraction = fraction * 10.0 + f64::from(self.cur() - b'0');
                frac += 1;
                self.next();
            }
            fraction /= 10f64.powf(f64::from(frac));
            ret += fraction;
            while self.cur().is_ascii_digit() {
                self.next();
            }
        }
        if self.cur() == b'e' || self.cur() == b'E' {
            self.next();
            let mut neg = false;
            if self.cur() == b'-' {
                neg = true;
                self.next();
            } else if self.cur() == b'+' {
                self.next();
            }
            let mut exponent = 0i32;
            while self.cur().is_ascii_digit() {
                if exponent < 1_000_000 {
                    exponent = exponent * 10 + i32::from(self.cur() - b'0');
                }
                self.next();
            }
            if neg {
                exponent = -exponent;
            }
            ret *= 10f64.powf(f64::from(exponent));
        }
        Expr::Num(ret)
    }

    fn variable_reference(&mut self) -> Expr {
        self.skip_blanks();
        self.next(); // '$'
        let (prefix, name) = self.qname();
        let Some(name) = name else {
            self.err(XpErr::VariableRef);
            return Expr::Bad;
        };
        self.skip_blanks();
        Expr::Var(prefix, name)
    }

    fn function_call(&mut self) -> Expr {
        let (prefix, name) = self.qname();
        let Some(name) = name else {
            self.err(XpErr::Expr);
            return Expr::Bad;
        };
        self.skip_blanks();
        if self.cur() != b'(' {
            self.err(XpErr::Expr);
            return Expr::Bad;
        }
        self.next();
        self.skip_blanks();
        let sort = !(prefix.is_none() && name == "count");
        let mut args = Vec::new();
        if self.cur() != b')' {
            while self.cur() != 0 {
                let a = self.compile_expr(sort);
                if self.error {
                    return Expr::Bad;
                }
                args.push(a);
                if self.cur() == b')' {
                    break;
                }
                if self.cur() != b',' {
                    self.err(XpErr::Expr);
                    return Expr::Bad;
                }
                self.next();
                self.skip_blanks();
            }
        }
        self.next();
        self.skip_blanks();
        Expr::Func(prefix, name, args)
    }

    fn predicate(&mut self, filter: bool) -> Expr {
        self.skip_blanks();
        if self.cur() != b'[' {
            self.err(XpErr::InvalidPredicate);
            return Expr::Bad;
        }
        self.next();
        self.skip_blanks();
        let e = self.compile_expr(filter);
        if self.error {
            return e;
        }
        if self.cur() != b']' {
            self.err(XpErr::InvalidPredicate);
            return Expr::Bad;
        }
        self.next();
        self.skip_blanks();
        e
    }

    /// xmlXPathCompLocationPath.
    fn location_path(&mut self, base: Expr) -> Expr {
        self.skip_blanks();
        if self.cur() != b'/' {
            return self.relative_location_path(base);
        }
        let mut e = base;
        while self.cur() == b'/' {
            if self.nxt(1) == b'/' {
                self.skip(2);
                self.skip_blanks();
                e = Expr::Step(bx(e), Axis::DescendantOrSelf, Test::Node, Vec::new());
                e = self.relative_location_path(e);
            } else {
                self.next();
                self.skip_blanks();
                let c = self.cur();
                if c != 0 && (c.is_ascii_alphabetic() || matches!(c, b'_' | b'.' | b'@' | b'*')) {
                    e = self.relative_location_path(e);
                }
            }
            if self.error {
                return e;
            }
        }
        e
    }

    /// xmlXPathCompRelativeLocationPath.
    fn relative_location_path(&mut self, input: Expr) -> Expr {
        let mut e = input;
        self.skip_blanks();
        if self.cur() == b'/' && self.nxt(1) == b'/' {
            self.skip(2);
            self.skip_blanks();
            e = Expr::Step(bx(e), Axis::DescendantOrSelf, Test::Node, Vec::new());
        } else if self.cur() == b'/' {
            self.next();
            self.skip_blanks();
        }
        e = self.step(e);
        if self.error {
            return e;
        }
        self.skip_blanks();
        while self.cur() == b'/' {
            if self.nxt(1) == b'/' {
                self.skip(2);
                self.skip_blanks();
                e = Expr::Step(bx(e), Axis::DescendantOrSelf, Test::Node, Vec::new());
                e = self.step(e);
            } else {
                self.next();
                self.skip_blanks();
                e = self.step(e);
            }
            self.skip_blanks();
        }
        e
    }

    /// xmlXPathCompStep.
    fn step(&mut self, input: Expr) -> Expr {
        self.skip_blanks();
        if self.cur() == b'.' && self.nxt(1) == b'.' {
            self.skip(2);
            self.skip_blanks();
            return Expr::Step(bx(input), Axis::Parent, Test::Node, Vec::new());
        }
        if self.cur() == b'.' {
            self.next();
            self.skip_blanks();
            return input;
        }
        let mut name = None;
        let axis;
        if self.cur() == b'*' {
            axis = Axis::Child;
        } else {
            name = self.ncname();
            if let Some(n) = &name {
                match Axis::from_name(n) {
                    Some(a) => {
                        self.skip_blanks();
                        if self.cur() == b':' && self.nxt(1) == b':' {
                            self.skip(2);
                            name = None;
                            axis = a;
                        } else {
                            axis = Axis::Child;
                        }
                    }
                    None => axis = Axis::Child,
                }
            } else if self.cur() == b'@' {
                self.next();
                axis = Axis::Attribute;
            } else {
                axis = Axis::Child;
            }
        }
        if self.error {
            return Expr::Bad;
        }
        let Some(test) = self.node_test(name) else {
            return Expr::Bad;
        };
        self.skip_blanks();
        let mut preds = Vec::new();
        while self.cur() == b'[' {
            preds.push(self.predicate(false));
        }
        // xmlXPathOptimizeExpression: "descendant-or-self::node()/child::x"
        // is "descendant::x" (and "/self::x", "/descendant-or-self::x" alike).
        let mut input = input;
        let mut axis = axis;
        if preds.is_empty() {
            let merged = match (&mut input, axis) {
                (
                    Expr::Step(inner, Axis::DescendantOrSelf, Test::Node, p),
                    Axis::Child | Axis::Descendant,
                ) if p.is_empty() => {
                    Some((std::mem::replace(&mut **inner, Expr::Bad), Axis::Descendant))
                }
                (
                    Expr::Step(inner, Axis::DescendantOrSelf, Test::Node, p),
                    Axis::SelfNode | Axis::DescendantOrSelf,
                ) if p.is_empty() => Some((
                    std::mem::replace(&mut **inner, Expr::Bad),
                    Axis::DescendantOrSelf,
                )),
                _ => None,
            };
            if let Some((inner, a)) = merged {
                input = inner;
                axis = a;
            }
        }
        Expr::Step(bx(input), axis, test, preds)
    }

    /// xmlXPathCompNodeTest.
    fn node_test(&mut self, name: Option<String>) -> Option<Test> {
        self.skip_blanks();
        if name.is_none() && self.cur() == b'*' {
            self.next();
            return Some(Test::All(None));
        }
        let name = match name {
            Some(n) => n,
            None => match self.ncname() {
                Some(n) => n,
                None => {
                    self.err(XpErr::Expr);
                    return None;
                }
            },
        };
        let blanks = is_blank(self.cur());
        self.skip_blanks();
        if self.cur() == b'(' {
            self.next();
            let mut test = match name.as_str() {
                "comment" => Test::Comment,
                "node" => Test::Node,
                "processing-instruction" => Test::Pi(None),
                "text" => Test::Text,
                _ => {
                    self.err(XpErr::Expr);
                    return None;
                }
            };
            self.skip_blanks();
            // From here on libxml2 has set the test type, so on errors the
            // caller still goes on to parse predicates.
            if test == Test::Pi(None) && self.cur() != b')' {
                match self.literal() {
                    Some(l) => test = Test::Pi(Some(l)),
                    None => {
                        self.err(XpErr::Expr);
                        return Some(test);
                    }
                }
                self.skip_blanks();
            }
            if self.cur() != b')' {
                self.err(XpErr::Unclosed);
                return Some(test);
            }
            self.next();
            return Some(test);
        }
        if !blanks && self.cur() == b':' {
            self.next();
            if self.cur() == b'*' {
                self.next();
                return Some(Test::All(Some(name)));
            }
            return match self.ncname() {
                Some(local) => Some(Test::Name(Some(name), local)),
                None => {
                    self.err(XpErr::Expr);
                    Some(Test::Name(Some(name), String::new()))
                }
            };
        }
        Some(Test::Name(None, name))
    }
}

// ---------------------------------------------------------------------------
// libxml2's streaming shortcut (xmlPatterncompile with XML_PATTERN_XPATH)
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum PatStep {
    Root,
    Ancestor,
    Parent,
    /// `None` is `.`.
    Elem(Option<String>),
    All,
}

/// Expressions without `[`, `(`, `@` or `:` that libxml2's pattern compiler
/// accepts are evaluated by its streaming matcher instead of the XPath
/// engine; the results are the same except that the pattern syntax is a
/// little more lenient (a trailing `|` is ignored).  Returns the equivalent
/// XPath expression, or `None` when libxml2 would use the XPath compiler.
fn stream_compile(expr: &str) -> Option<Vec<StreamPath>> {
    if expr.contains(['[', '(', '@', ':']) {
        return None;
    }
    let mut alts: Vec<(bool, Vec<PatStep>)> = Vec::new();
    let mut rest = expr;
    while !rest.is_empty() {
        let (alt, tail) = match rest.find('|') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        alts.push(compile_pattern(alt)?);
        rest = tail;
    }
    if alts.is_empty() {
        return None;
    }
    let from_root = alts[0].0;
    if alts.iter().any(|a| a.0 != from_root) {
        return None;
    }
    let mut result = Vec::new();
    for (from_root, steps) in alts {
        if !pattern_streamable(&steps) {
            return None;
        }
        let only_dot = steps == [PatStep::Elem(None)];
        let mut path = StreamPath {
            from_root,
            steps: Vec::new(),
            except_context: !from_root && !only_dot,
        };
        for s in steps {
            match s {
                PatStep::Root | PatStep::Parent | PatStep::Elem(None) => {}
                PatStep::Ancestor => path.steps.push((Axis::DescendantOrSelf, Test::Node)),
                PatStep::Elem(Some(n)) => path.steps.push((Axis::Child, Test::Name(None, n))),
                PatStep::All => path.steps.push((Axis::Child, Test::All(None))),
            }
        }
        result.push(path);
    }
    Some(result)
}

/// One alternative of a streamed pattern, as XPath location steps.
struct StreamPath {
    from_root: bool,
    steps: Vec<(Axis, Test)>,
    /// libxml2's streaming matcher never visits the context node itself.
    except_context: bool,
}

/// xmlStreamCompile's acceptance test.
fn pattern_streamable(steps: &[PatStep]) -> bool {
    if steps.len() == 1 && steps[0] == PatStep::Elem(None) {
        return true;
    }
    let mut desc = false;
    let mut added = 0;
    for (i, s) in steps.iter().enumerate() {
        match s {
            PatStep::Root if i != 0 => return false,
            PatStep::Root | PatStep::Parent => {}
            PatStep::Ancestor => desc = true,
            PatStep::Elem(None) => {
                if i + 1 == steps.len() && desc {
                    added += 1;
                    desc = false;
                }
            }
            PatStep::Elem(Some(_)) | PatStep::All => {
                added += 1;
                desc = false;
            }
        }
    }
    added > 0
}

/// xmlCompilePathPattern for one alternative: (from root, steps).
fn compile_pattern(alt: &str) -> Option<(bool, Vec<PatStep>)> {
    let s = alt.as_bytes();
    let mut p = 0usize;
    let at = |p: usize| s.get(p).copied().unwrap_or(0);
    let skip_blanks = |p: &mut usize| {
        while is_blank(at(*p)) {
            *p += 1;
        }
    };
    let mut steps = Vec::new();
    skip_blanks(&mut p);
    let from_root = at(p) == b'/';
    if at(p) == b'/' && at(p + 1) == b'/' {
        steps.push(PatStep::Ancestor);
        p += 2;
    } else if at(p) == b'.' && at(p + 1) == b'/' && at(p + 2) == b'/' {
        steps.push(PatStep::Ancestor);
        p += 3;
        skip_blanks(&mut p);
        if at(p) == 0 {
            return None;
        }
    }
    if at(p) == b'/' {
        steps.push(PatStep::Root);
        p += 1;
        skip_blanks(&mut p);
        if at(p) == 0 {
            return None;
        }
    }
    step_pattern(alt, &mut p, &mut steps)?;
    skip_blanks(&mut p);
    while at(p) == b'/' {
        if at(p + 1) == b'/' {
            steps.push(PatStep::Ancestor);
            p += 2;
            skip_blanks(&mut p);
            step_pattern(alt, &mut p, &mut steps)?;
        } else {
            steps.push(PatStep::Parent);
            p += 1;
            skip_blanks(&mut p);
            if at(p) == 0 {
                return None;
            }
            step_pattern(alt, &mut p, &mut steps)?;
        }
    }
    if at(p) != 0 {
        return None;
    }
    Some((from_root, steps))
}

/// xmlCompileStepPattern (no axes, prefixes or attributes reach here).
fn step_pattern(alt: &str, p: &mut usize, steps: &mut Vec<PatStep>) -> Option<()> {
    let s = alt.as_bytes();
    let at = |p: usize| s.get(p).copied().unwrap_or(0);
    while is_blank(at(*p)) {
        *p += 1;
    }
    if at(*p) == b'.' {
        *p += 1;
        steps.push(PatStep::Elem(None));
        return Some(());
    }
    let start = *p;
    if let Some(c) = alt.get(start..).and_then(|r| r.chars().next()) {
        if is_letter(c) || c == '_' {
            while let Some(c) = alt.get(*p..).and_then(|r| r.chars().next()) {
                if !is_name_char(c, false) {
                    break;
                }
                *p += c.len_utf8();
            }
        }
    }
    if *p == start {
        if at(*p) == b'*' {
            *p += 1;
            steps.push(PatStep::All);
            return Some(());
        }
        return None;
    }
    let name = alt[start..*p].to_owned();
    while is_blank(at(*p)) {
        *p += 1;
    }
    if at(*p) == b'*' {
        return None;
    }
    steps.push(PatStep::Elem(Some(name)));
    Some(())
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Val {
    Nodes(Vec<usize>),
    Bool(bool),
    Num(f64),
    Str(String),
}

struct Ctx {
    node: usize,
    /// Proximity position and context size; -1 outside predicates.
    pos: i64,
    size: i64,
}

struct Eval<'a> {
    doc: &'a Doc,
    depth: u32,
    stderr: String,
}

type R<T> = Result<T, ()>;

impl Eval<'_> {
    fn fail<T>(&mut self, e: XpErr) -> R<T> {
        self.stderr.push_str("XPath error : ");
        self.stderr.push_str(e.message());
        self.stderr.push('\n');
        Err(())
    }

    fn eval(&mut self, e: &Expr, ctx: &Ctx) -> R<Val> {
        if self.depth >= MAX_DEPTH {
            return self.fail(XpErr::RecursionLimit);
        }
        self.depth += 1;
        let r = self.eval_inner(e, ctx);
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, e: &Expr, ctx: &Ctx) -> R<Val> {
        Ok(match e {
            Expr::Or(a, b) => {
                let l = self.eval(a, ctx)?;
                if self.boolean(&l) {
                    Val::Bool(true)
                } else {
                    let r = self.eval(b, ctx)?;
                    Val::Bool(self.boolean(&r))
                }
            }
            Expr::And(a, b) => {
                let l = self.eval(a, ctx)?;
                if !self.boolean(&l) {
                    Val::Bool(false)
                } else {
                    let r = self.eval(b, ctx)?;
                    Val::Bool(self.boolean(&r))
                }
            }
            Expr::Eq(a, b, eq) => {
                let l = self.eval(a, ctx)?;
                let r = self.eval(b, ctx)?;
                Val::Bool(self.equal(l, r, *eq))
            }
            Expr::Cmp(a, b, inf, strict) => {
                let l = self.eval(a, ctx)?;
                let r = self.eval(b, ctx)?;
                Val::Bool(self.compare(&l, &r, *inf, *strict))
            }
            Expr::Arith(a, b, op) => {
                let l = self.eval(a, ctx)?;
                let r = self.eval(b, ctx)?;
                let (x, y) = (self.number(&l), self.number(&r));
                Val::Num(match op {
                    ArOp::Add => x + y,
                    ArOp::Sub => x - y,
                    ArOp::Mul => x * y,
                    ArOp::Div => x / y,
                    ArOp::Mod => x % y,
                })
            }
            Expr::Neg(a) => {
                let v = self.eval(a, ctx)?;
                Val::Num(-self.number(&v))
            }
            Expr::ToNum(a) => {
                let v = self.eval(a, ctx)?;
                Val::Num(self.number(&v))
            }
            Expr::Union(a, b) => {
                let l = self.eval(a, ctx)?;
                let r = self.eval(b, ctx)?;
                match union(l, r) {
                    Ok(v) => v,
                    Err(()) => return self.fail(XpErr::InvalidType),
                }
            }
            Expr::Root => Val::Nodes(vec![0]),
            Expr::Context => Val::Nodes(vec![ctx.node]),
            Expr::Step(input, axis, test, preds) => {
                let v = self.eval(input, ctx)?;
                let Val::Nodes(set) = v else {
                    return self.fail(XpErr::InvalidType);
                };
                let uri = match test {
                    Test::Name(Some(p), _) | Test::All(Some(p)) => {
                        if p == "xml" {
                            Some(XML_NS)
                        } else {
                            return self.fail(XpErr::UndefPrefix);
                        }
                    }
                    _ => None,
                };
                let mut out = Vec::new();
                let mut cand = Vec::new();
                for &n in &set {
                    cand.clear();
                    self.axis(n, *axis, &mut cand);
                    cand.retain(|&c| self.node_test(c, test, *axis, uri));
                    let mut list = std::mem::take(&mut cand);
                    for p in preds {
                        list = self.filter(list, p)?;
                    }
                    out.extend_from_slice(&list);
                    cand = list;
                }
                out.sort_unstable();
                out.dedup();
                Val::Nodes(out)
            }
            Expr::Sort(a) => self.eval(a, ctx)?,
            Expr::Filter(input, pred) => {
                let first_opt =
                    matches!(**input, Expr::Sort(_) | Expr::Filter(..)) && **pred == Expr::Num(1.0);
                if first_opt {
                    let v = self.eval_first(input, ctx)?;
                    keep_one(v, true)
                } else if matches!(**input, Expr::Sort(_)) && is_last_call(pred) {
                    let v = self.eval_last(input, ctx)?;
                    keep_one(v, false)
                } else {
                    let v = self.eval(input, ctx)?;
                    let Val::Nodes(set) = v else {
                        return self.fail(XpErr::InvalidType);
                    };
                    Val::Nodes(self.filter(set, pred)?)
                }
            }
            Expr::Num(n) => Val::Num(*n),
            Expr::Str(s) => Val::Str(s.clone()),
            Expr::Var(prefix, name) => match prefix {
                Some(p) => {
                    self.stderr.push_str(&format!(
                        "xmlXPathCompOpEval: variable {name} bound to undefined prefix {p}\n"
                    ));
                    return Err(());
                }
                None => return self.fail(XpErr::UndefVariable),
            },
            Expr::Func(prefix, name, args) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a, ctx)?);
                }
                if let Some(p) = prefix {
                    self.stderr.push_str(&format!(
                        "xmlXPathCompOpEval: function {name} bound to undefined prefix {p}\n"
                    ));
                    return Err(());
                }
                return self.call(name, vals, ctx);
            }
            Expr::Bad => return self.fail(XpErr::Expr),
        })
    }

    /// Evaluates streamed patterns (no recursion, no depth limit).
    fn stream(&self, paths: &[StreamPath]) -> Vec<usize> {
        let mut all = Vec::new();
        let mut cand = Vec::new();
        for p in paths {
            let mut set = vec![if p.from_root { 0 } else { self.doc.root }];
            for (axis, test) in &p.steps {
                let mut next = Vec::new();
                for &n in &set {
                    cand.clear();
                    self.axis(n, *axis, &mut cand);
                    next.extend(
                        cand.iter()
                            .copied()
                            .filter(|&c| self.node_test(c, test, *axis, None)),
                    );
                }
                next.sort_unstable();
                next.dedup();
                set = next;
            }
            if p.except_context {
                set.retain(|&n| n != self.doc.root);
            }
            all.extend(set);
        }
        all.sort_unstable();
        all.dedup();
        all
    }

    /// xmlXPathCompOpEvalFirst: only the first node in document order will be
    /// kept by the caller.
    fn eval_first(&mut self, e: &Expr, ctx: &Ctx) -> R<Val> {
        match e {
            Expr::Sort(a) => self.eval_first(a, ctx),
            Expr::Union(a, b) => {
                let l = self.eval_first(a, ctx)?;
                let r = self.eval_first(b, ctx)?;
                union(l, r).or_else(|_| self.fail(XpErr::InvalidType))
            }
            // xmlXPathCompOpEvalFilterFirst.
            Expr::Filter(input, pred) => {
                if matches!(**input, Expr::Sort(_)) && is_last_call(pred) {
                    let v = self.eval_last(input, ctx)?;
                    return Ok(keep_one(v, false));
                }
                let v = self.eval(input, ctx)?;
                let Val::Nodes(set) = v else {
                    return self.fail(XpErr::InvalidType);
                };
                Ok(Val::Nodes(self.filter_max(set, pred, 1)?))
            }
            _ => self.eval(e, ctx),
        }
    }

    /// xmlXPathCompOpEvalLast: only the last node will be kept by the caller.
    fn eval_last(&mut self, e: &Expr, ctx: &Ctx) -> R<Val> {
        match e {
            Expr::Sort(a) => self.eval_last(a, ctx),
            Expr::Union(a, b) => {
                let l = self.eval_last(a, ctx)?;
                let r = self.eval_last(b, ctx)?;
                union(l, r).or_else(|_| self.fail(XpErr::InvalidType))
            }
            _ => self.eval(e, ctx),
        }
    }

    /// Applies one predicate to a list in axis (or document) order.
    fn filter(&mut self, list: Vec<usize>, pred: &Expr) -> R<Vec<usize>> {
        self.filter_max(list, pred, usize::MAX)
    }

    /// Like `filter`, stopping after `max` nodes passed.
    fn filter_max(&mut self, list: Vec<usize>, pred: &Expr, max: usize) -> R<Vec<usize>> {
        let size = list.len() as i64;
        let mut out = Vec::with_capacity(list.len());
        for (i, &n) in list.iter().enumerate() {
            let ctx = Ctx {
                node: n,
                pos: i as i64 + 1,
                size,
            };
            let v = self.eval(pred, &ctx)?;
            let keep = match v {
                Val::Num(x) => x == (i + 1) as f64,
                v => self.boolean(&v),
            };
            if keep {
                out.push(n);
                if out.len() >= max {
                    break;
                }
            }
        }
        Ok(out)
    }

    fn axis(&self, n: usize, axis: Axis, out: &mut Vec<usize>) {
        let doc = self.doc;
        let node = &doc.nodes[n];
        match axis {
            Axis::Child => {
                if matches!(node.kind, Kind::Element | Kind::Document) {
                    out.extend_from_slice(&node.children);
                }
            }
            Axis::Descendant | Axis::DescendantOrSelf => {
                if axis == Axis::DescendantOrSelf {
                    out.push(n);
                }
                if matches!(node.kind, Kind::Element | Kind::Document) {
                    let mut stack: Vec<usize> = node.children.iter().rev().copied().collect();
                    while let Some(c) = stack.pop() {
                        out.push(c);
                        stack.extend(doc.nodes[c].children.iter().rev());
                    }
                }
            }
            Axis::Parent => {
                if node.parent != NONE {
                    out.push(node.parent);
                }
            }
            Axis::Ancestor | Axis::AncestorOrSelf => {
                if axis == Axis::AncestorOrSelf {
                    out.push(n);
                }
                let mut p = node.parent;
                while p != NONE {
                    out.push(p);
                    p = doc.nodes[p].parent;
                }
            }
            Axis::FollowingSibling | Axis::PrecedingSibling => {
                if matches!(node.kind, Kind::Attribute | Kind::Namespace) || node.parent == NONE {
                    return;
                }
                let sibs = &doc.nodes[node.parent].children;
                if let Some(i) = sibs.iter().position(|&s| s == n) {
                    if axis == Axis::FollowingSibling {
                        out.extend_from_slice(&sibs[i + 1..]);
                    } else {
                        out.extend(sibs[..i].iter().rev());
                    }
                }
            }
            Axis::Following => {
                let m = if matches!(node.kind, Kind::Attribute | Kind::Namespace) {
                    node.parent
                } else {
                    n
                };
                if m == NONE || doc.nodes[m].kind == Kind::Document {
                    return;
                }
                let from = doc.nodes[m].end + 1;
                out.extend(
                    (from..doc.nodes.len()).filter(|&i| {
                        !matches!(doc.nodes[i].kind, Kind::Attribute | Kind::Namespace)
                    }),
                );
            }
            Axis::Preceding => {
                let m = if matches!(node.kind, Kind::Attribute | Kind::Namespace) {
                    node.parent
                } else {
                    n
                };
                if m == NONE {
                    return;
                }
                let mut ancestors = Vec::new();
                let mut p = doc.nodes[m].parent;
                while p != NONE {
                    ancestors.push(p);
                    p = doc.nodes[p].parent;
                }
                out.extend((1..m).rev().filter(|&i| {
                    !matches!(doc.nodes[i].kind, Kind::Attribute | Kind::Namespace)
                        && !ancestors.contains(&i)
                }));
            }
            Axis::SelfNode => out.push(n),
            Axis::Attribute => {
                if node.kind == Kind::Element {
                    out.extend_from_slice(&node.attrs);
                }
            }
            Axis::Namespace => {
                if node.kind == Kind::Element {
                    out.extend_from_slice(&node.ns_nodes);
                }
            }
        }
    }

    fn node_test(&self, n: usize, test: &Test, axis: Axis, uri: Option<&str>) -> bool {
        let node = &self.doc.nodes[n];
        if node.kind == Kind::Namespace {
            return match test {
                Test::Name(_, name) => node.prefix.as_deref() == Some(name.as_str()),
                Test::All(_) | Test::Node => true,
                _ => false,
            };
        }
        let principal = if axis == Axis::Attribute {
            Kind::Attribute
        } else {
            Kind::Element
        };
        match test {
            Test::Name(prefix, name) => {
                node.kind == principal
                    && node.name == *name
                    && match prefix {
                        None => node.ns.is_none(),
                        Some(_) => node.ns.as_deref() == uri,
                    }
            }
            Test::All(prefix) => {
                node.kind == principal
                    && match prefix {
                        None => true,
                        Some(_) => node.ns.as_deref() == uri,
                    }
            }
            Test::Node => true,
            Test::Text => matches!(node.kind, Kind::Text | Kind::CData),
            Test::Comment => node.kind == Kind::Comment,
            Test::Pi(None) => node.kind == Kind::Pi,
            Test::Pi(Some(t)) => node.kind == Kind::Pi && node.name == *t,
        }
    }

    // --- conversions --------------------------------------------------------

    fn string_value(&self, n: usize) -> String {
        let doc = self.doc;
        let node = &doc.nodes[n];
        match node.kind {
            Kind::Element | Kind::Document => {
                let mut s = String::new();
                let mut stack: Vec<usize> = node.children.iter().rev().copied().collect();
                while let Some(c) = stack.pop() {
                    let cn = &doc.nodes[c];
                    match cn.kind {
                        Kind::Text | Kind::CData => s.push_str(cn.value.as_deref().unwrap_or("")),
                        Kind::Element => stack.extend(cn.children.iter().rev()),
                        _ => {}
                    }
                }
                s
            }
            _ => node.value.clone().unwrap_or_default(),
        }
    }

    fn string(&self, v: &Val) -> String {
        match v {
            Val::Nodes(n) => n.first().map(|&n| self.string_value(n)).unwrap_or_default(),
            Val::Bool(b) => if *b { "true" } else { "false" }.to_string(),
            Val::Num(x) => format_number(*x),
            Val::Str(s) => s.clone(),
        }
    }

    fn number(&self, v: &Val) -> f64 {
        match v {
            Val::Nodes(_) => string_to_number(&self.string(v)),
            Val::Bool(b) => {
                if *b {
                    1.0
                } else {
                    0.0
                }
            }
            Val::Num(x) => *x,
            Val::Str(s) => string_to_number(s),
        }
    }

    fn boolean(&self, v: &Val) -> bool {
        match v {
            Val::Nodes(n) => !n.is_empty(),
            Val::Bool(b) => *b,
            Val::Num(x) => *x != 0.0 && !x.is_nan(),
            Val::Str(s) => !s.is_empty(),
        }
    }

    // --- comparisons ----------------------------------------------------------

    /// xmlXPathEqualValues (`eq`) / xmlXPathNotEqualValues (`!eq`).
    fn equal(&self, l: Val, r: Val, eq: bool) -> bool {
        let (l, r) = match (&l, &r) {
            (Val::Nodes(_), _) => (l, r),
            (_, Val::Nodes(_)) => (r, l),
            _ => {
                let e = self.equal_common(&l, &r);
                return if eq { e } else { !e };
            }
        };
        let Val::Nodes(ns) = &l else { return false };
        match &r {
            Val::Nodes(ns2) => {
                if ns.is_empty() || ns2.is_empty() {
                    return false;
                }
                let a: Vec<String> = ns.iter().map(|&n| self.string_value(n)).collect();
                let b: Vec<String> = ns2.iter().map(|&n| self.string_value(n)).collect();
                if eq {
                    a.iter().any(|x| b.iter().any(|y| x == y))
                } else {
                    a.iter().any(|x| b.iter().any(|y| x != y))
                }
            }
            Val::Bool(b) => (ns.is_empty() != *b) == eq,
            Val::Num(f) => ns.iter().any(|&n| {
                let v = string_to_number(&self.string_value(n));
                if eq {
                    v == *f
                } else {
                    v != *f
                }
            }),
            Val::Str(s) => ns.iter().any(|&n| (self.string_value(n) == *s) == eq),
        }
    }

    /// xmlXPathEqualValuesCommon (neither side a node-set).
    fn equal_common(&self, l: &Val, r: &Val) -> bool {
        match (l, r) {
            (Val::Bool(b), o) | (o, Val::Bool(b)) => *b == self.boolean(o),
            (Val::Num(x), o) | (o, Val::Num(x)) => *x == self.number(o),
            _ => self.string(l) == self.string(r),
        }
    }

    /// xmlXPathCompareValues.
    fn compare(&self, l: &Val, r: &Val, inf: bool, strict: bool) -> bool {
        let cmp = |a: f64, b: f64| match (inf, strict) {
            (true, true) => a < b,
            (true, false) => a <= b,
            (false, true) => a > b,
            (false, false) => a >= b,
        };
        let values = |ns: &Vec<usize>| -> Vec<f64> {
            ns.iter()
                .map(|&n| string_to_number(&self.string_value(n)))
                .collect()
        };
        match (l, r) {
            (Val::Nodes(a), Val::Nodes(b)) => {
                let (a, b) = (values(a), values(b));
                a.iter().any(|&x| b.iter().any(|&y| cmp(x, y)))
            }
            (Val::Nodes(a), Val::Bool(_)) => {
                let x = if a.is_empty() { 0.0 } else { 1.0 };
                cmp(x, self.number(r))
            }
            (Val::Bool(_), Val::Nodes(b)) => {
                let y = if b.is_empty() { 0.0 } else { 1.0 };
                cmp(self.number(l), y)
            }
            (Val::Nodes(a), _) => {
                let y = self.number(r);
                values(a).into_iter().any(|x| cmp(x, y))
            }
            (_, Val::Nodes(b)) => {
                let x = self.number(l);
                values(b).into_iter().any(|y| cmp(x, y))
            }
            _ => cmp(self.number(l), self.number(r)),
        }
    }

    // --- functions ------------------------------------------------------------

    fn call(&mut self, name: &str, mut args: Vec<Val>, ctx: &Ctx) -> R<Val> {
        let n = args.len();
        macro_rules! arity {
            ($k:expr) => {
                if n != $k {
                    return self.fail(XpErr::InvalidArity);
                }
            };
        }
        // Functions taking an optional argument default to the context node.
        let ctx_arg = |args: &mut Vec<Val>| {
            if args.is_empty() {
                args.push(Val::Nodes(vec![ctx.node]));
            }
        };
        Ok(match name {
            "last" => {
                arity!(0);
                if ctx.size < 0 {
                    return self.fail(XpErr::InvalidCtxtSize);
                }
                Val::Num(ctx.size as f64)
            }
            "position" => {
                arity!(0);
                if ctx.pos < 0 {
                    return self.fail(XpErr::InvalidCtxtPosition);
                }
                Val::Num(ctx.pos as f64)
            }
            "count" | "sum" => {
                arity!(1);
                let Val::Nodes(ns) = &args[0] else {
                    return self.fail(XpErr::InvalidType);
                };
                if name == "count" {
                    Val::Num(ns.len() as f64)
                } else {
                    Val::Num(
                        ns.iter()
                            .map(|&x| string_to_number(&self.string_value(x)))
                            .sum(),
                    )
                }
            }
            "id" => {
                arity!(1);
                Val::Nodes(Vec::new())
            }
            "local-name" | "namespace-uri" | "name" => {
                ctx_arg(&mut args);
                if args.len() != 1 {
                    return self.fail(XpErr::InvalidArity);
                }
                let Val::Nodes(ns) = &args[0] else {
                    return self.fail(XpErr::InvalidType);
                };
                let Some(&first) = ns.first() else {
                    return Ok(Val::Str(String::new()));
                };
                let node = &self.doc.nodes[first];
                Val::Str(match (name, node.kind) {
                    ("local-name", Kind::Element | Kind::Attribute | Kind::Pi) => node.name.clone(),
                    ("name", Kind::Element | Kind::Attribute) => match &node.prefix {
                        Some(p) if node.ns.is_some() => format!("{p}:{}", node.name),
                        _ => node.name.clone(),
                    },
                    ("name", Kind::Pi) => node.name.clone(),
                    ("local-name" | "name", Kind::Namespace) => {
                        node.prefix.clone().unwrap_or_default()
                    }
                    ("namespace-uri", Kind::Element | Kind::Attribute) => {
                        node.ns.clone().unwrap_or_default()
                    }
                    _ => String::new(),
                })
            }
            "string" | "string-length" | "normalize-space" | "number" => {
                ctx_arg(&mut args);
                if args.len() != 1 {
                    return self.fail(XpErr::InvalidArity);
                }
                match name {
                    "string" => Val::Str(self.string(&args[0])),
                    "string-length" => Val::Num(self.string(&args[0]).chars().count() as f64),
                    "normalize-space" => Val::Str(
                        self.string(&args[0])
                            .split([' ', '\t', '\n', '\r'])
                            .filter(|w| !w.is_empty())
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                    _ => Val::Num(self.number(&args[0])),
                }
            }
            "concat" => {
                if n < 2 {
                    return self.fail(XpErr::InvalidArity);
                }
                Val::Str(args.iter().map(|a| self.string(a)).collect())
            }
            "contains" | "starts-with" | "substring-before" | "substring-after" => {
                arity!(2);
                let (a, b) = (self.string(&args[0]), self.string(&args[1]));
                match name {
                    "contains" => Val::Bool(a.contains(&b)),
                    "starts-with" => Val::Bool(a.starts_with(&b)),
                    "substring-before" => {
                        Val::Str(a.find(&b).map(|i| a[..i].to_owned()).unwrap_or_default())
                    }
                    _ => Val::Str(
                        a.find(&b)
                            .map(|i| a[i + b.len()..].to_owned())
                            .unwrap_or_default(),
                    ),
                }
            }
            "substring" => {
                if !(2..=3).contains(&n) {
                    return self.fail(XpErr::InvalidArity);
                }
                let s = self.string(&args[0]);
                let start = self.number(&args[1]);
                let len = args.get(2).map(|a| self.number(a));
                Val::Str(substring(&s, start, len))
            }
            "translate" => {
                arity!(3);
                let s = self.string(&args[0]);
                let from: Vec<char> = self.string(&args[1]).chars().collect();
                let to: Vec<char> = self.string(&args[2]).chars().collect();
                Val::Str(
                    s.chars()
                        .filter_map(|c| match from.iter().position(|&f| f == c) {
                            Some(i) => to.get(i).copied(),
                            None => Some(c),
                        })
                        .collect(),
                )
            }
            "boolean" | "not" => {
                arity!(1);
                let b = self.boolean(&args[0]);
                Val::Bool(if name == "not" { !b } else { b })
            }
            "true" | "false" => {
                arity!(0);
                Val::Bool(name == "true")
            }
            "lang" => {
                arity!(1);
                let want = self.string(&args[0]);
                Val::Bool(self.lang_matches(ctx.node, &want))
            }
            "floor" | "ceiling" | "round" => {
                arity!(1);
                let x = self.number(&args[0]);
                Val::Num(match name {
                    "floor" => x.floor(),
                    "ceiling" => x.ceil(),
                    _ => {
                        if (-0.5..0.5).contains(&x) {
                            x * 0.0
                        } else {
                            let r = x.floor();
                            if x - r >= 0.5 {
                                r + 1.0
                            } else {
                                r
                            }
                        }
                    }
                })
            }
            _ => {
                self.stderr
                    .push_str(&format!("xmlXPathCompOpEval: function {name} not found\n"));
                return self.fail(XpErr::UnknownFunc);
            }
        })
    }

    fn lang_matches(&self, mut n: usize, want: &str) -> bool {
        while n != NONE {
            let node = &self.doc.nodes[n];
            if node.kind == Kind::Element {
                for &a in &node.attrs {
                    let an = &self.doc.nodes[a];
                    if an.name == "lang" && an.ns.as_deref() == Some(XML_NS) {
                        let have = an.value.as_deref().unwrap_or("").as_bytes();
                        let want = want.as_bytes();
                        if have.len() < want.len() || !have[..want.len()].eq_ignore_ascii_case(want)
                        {
                            return false;
                        }
                        return have.len() == want.len() || have[want.len()] == b'-';
                    }
                }
            }
            n = node.parent;
        }
        false
    }
}

fn union(l: Val, r: Val) -> Result<Val, ()> {
    match (l, r) {
        (Val::Nodes(mut x), Val::Nodes(y)) => {
            x.extend(y);
            x.sort_unstable();
            x.dedup();
            Ok(Val::Nodes(x))
        }
        _ => Err(()),
    }
}

/// Keeps the first or last node of a node-set; other values pass unchanged.
fn keep_one(v: Val, first: bool) -> Val {
    match v {
        Val::Nodes(n) if n.len() > 1 => Val::Nodes(vec![if first { n[0] } else { n[n.len() - 1] }]),
        v => v,
    }
}

/// A predicate compiled as SORT(FUNCTION last()).
fn is_last_call(pred: &Expr) -> bool {
    match pred {
        Expr::Sort(f) => {
            matches!(&**f, Expr::Func(None, name, args) if name == "last" && args.is_empty())
        }
        _ => false,
    }
}

/// xmlXPathSubstringFunction.
fn substring(s: &str, start: f64, len: Option<f64>) -> String {
    const INT_MAX: f64 = i32::MAX as f64;
    let mut i: i64 = 1;
    let mut j: i64 = i32::MAX as i64;
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    if !(start < INT_MAX) {
        i = i32::MAX as i64;
    } else if start >= 1.0 {
        i = start as i64;
        if start - start.floor() >= 0.5 {
            i += 1;
        }
    }
    if let Some(le) = len {
        let round = |x: f64| {
            let r = x.floor();
            if x - r >= 0.5 {
                r + 1.0
            } else {
                r
            }
        };
        let end = round(start) + round(le);
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        if !(end >= 1.0) {
            j = 1;
        } else if end < INT_MAX {
            j = end as i64;
        }
    }
    if i < j {
        s.chars()
            .skip((i - 1) as usize)
            .take((j - i) as usize)
            .collect()
    } else {
        String::new()
    }
}

/// xmlXPathStringEvalNumber.
fn string_to_number(s: &str) -> f64 {
    let b = s.as_bytes();
    let mut p = 0;
    let at = |p: usize| b.get(p).copied().unwrap_or(0);
    while is_blank(at(p)) {
        p += 1;
    }
    if at(p) != b'.' && !at(p).is_ascii_digit() && at(p) != b'-' {
        return f64::NAN;
    }
    let mut neg = false;
    if at(p) == b'-' {
        neg = true;
        p += 1;
    }
    let mut ret = 0.0f64;
    let mut ok = false;
    while at(p).is_ascii_digit() {
        ret = ret * 10.0 + f64::from(at(p) - b'0');
        ok = true;
        p += 1;
    }
    if at(p) == b'.' {
        p += 1;
        if !at(p).is_ascii_digit() && !ok {
            return f64::NAN;
        }
        let mut frac = 0i32;
        let mut fraction = 0.0f64;
        while at(p) == b'0' {
            frac += 1;
            p += 1;
        }
        let max = frac + 20;
        while at(p).is_ascii_digit() && frac < max {
            fraction = fraction * 10.0 + f64::from(at(p) - b'0');
            frac += 1;
            p += 1;
        }
        fraction /= 10f64.powf(f64::from(frac));
        ret += fraction;
        while at(p).is_ascii_digit() {
            p += 1;
        }
    }
    let mut exponent = 0i32;
    let mut exp_neg = false;
    if at(p) == b'e' || at(p) == b'E' {
        p += 1;
        if at(p) == b'-' {
            exp_neg = true;
            p += 1;
        } else if at(p) == b'+' {
            p += 1;
        }
        while at(p).is_ascii_digit() {
            if exponent < 1_000_000 {
                exponent = exponent * 10 + i32::from(at(p) - b'0');
            }
            p += 1;
        }
    }
    while is_blank(at(p)) {
        p += 1;
    }
    if p != b.len() {
        return f64::NAN;
    }
    if neg {
        ret = -ret;
    }
    if exp_neg {
        exponent = -exponent;
    }
    ret * 10f64.powf(f64::from(exponent))
}

/// xmlXPathFormatNumber.
fn format_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x > f64::from(i32::MIN) && x < f64::from(i32::MAX) && x == f64::from(x as i32) {
        return (x as i32).to_string();
    }
    let abs = x.abs();
    let (work, after) = if !(1e-5..=1e9).contains(&abs) {
        let s = format!("{x:.14e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = exp.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        (format!("{mant}e{sign}{:02}", e.abs()), mant.len())
    } else {
        let integer_place = abs.log10() as i32;
        let fraction_place = if integer_place > 0 {
            15 - integer_place - 1
        } else {
            15 - integer_place
        };
        let s = format!("{:.*}", fraction_place.max(0) as usize, x);
        let len = s.len();
        (s, len)
    };
    let (head, tail) = work.split_at(after);
    let mut head = head;
    if head.contains('.') {
        head = head.trim_end_matches('0');
        head = head.strip_suffix('.').unwrap_or(head);
    }
    format!("{head}{tail}")
}

// ---------------------------------------------------------------------------
// Tests (expected strings observed from virsh 9.0 / libxml2 2.9.14)
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// `virsh -c test:///default dumpxml test`.
    const TEST_XML: &str = "<domain type='test' id='1'>
  <name>test</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <memory unit='KiB'>8388608</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='i686'>hvm</type>
    <boot dev='hd'/>
  </os>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <source file='/guest/diskimage1'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </disk>
    <interface type='network'>
      <mac address='aa:bb:cc:dd:ee:ff'/>
      <source network='default'/>
      <target dev='testnet0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>
    </interface>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
    </memballoon>
  </devices>
</domain>
";

    /// A defined domain with metadata, entities and non-ASCII text, as virsh
    /// printed it.
    const RICH_XML: &str = "<domain type='test'>
  <name>rich</name>
  <uuid>b8631777-cb2d-4900-af80-939240a17520</uuid>
  <title>A &amp; B &lt;x&gt; &quot;q&quot; &apos;a&apos; \u{e9}</title>
  <description>line1
line2 &amp; stuff</description>
  <metadata>
    <app1:foo xmlns:app1=\"http://app1.org/app1/\" a=\"1&amp;2 &lt; &quot;&#xE9;&quot;\">fooish<app1:bar/>tail</app1:foo>
    <app2:bar xmlns:app2=\"http://app1.org/app2/\">
      <app2:x y=\"z\">t</app2:x>
      <app2:e/>
    </app2:bar>
    <def xmlns=\"http://default.org/\">
      <inner k=\"v\">txt</inner>
      <inner/>
    </def>
  </metadata>
  <memory unit='KiB'>1048576</memory>
  <devices>
    <disk type='file' device='disk'>
      <source file='/tmp/a \u{e9}&amp;.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <source file='/tmp/b.iso'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
  </devices>
</domain>
";

    fn sel(expr: &str) -> String {
        select(TEST_XML, expr, false).unwrap()
    }

    fn wrap(expr: &str) -> String {
        select(TEST_XML, expr, true).unwrap()
    }

    fn rich(expr: &str, w: bool) -> String {
        select(RICH_XML, expr, w).unwrap()
    }

    fn stderr(expr: &str, w: bool) -> (String, String) {
        let o = evaluate(TEST_XML, expr, w).unwrap();
        (o.stdout, o.stderr)
    }

    #[test]
    fn xpath_elements() {
        assert_eq!(
            sel("//disk"),
            "<disk type=\"file\" device=\"disk\">\n  <source file=\"/guest/diskimage1\"/>\n  \
             <target dev=\"vda\" bus=\"virtio\"/>\n  <address type=\"pci\" domain=\"0x0000\" \
             bus=\"0x01\" slot=\"0x00\" function=\"0x0\"/>\n</disk>\n"
        );
        assert_eq!(sel("//name"), "<name>test</name>\n");
        assert_eq!(sel("name"), "<name>test</name>\n");
        assert_eq!(sel("domain/name"), "");
        assert_eq!(sel("//nothing"), "");
        assert_eq!(
            sel("/domain/os"),
            "<os>\n  <type arch=\"i686\">hvm</type>\n  <boot dev=\"hd\"/>\n</os>\n"
        );
        assert_eq!(
            sel("//uuid | //name"),
            "<name>test</name>\n<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
        );
        // libxml2's streaming shortcut: a trailing `|` is ignored and `.//.`
        // does not include the context node.
        assert_eq!(sel("name|"), "<name>test</name>\n");
        assert!(sel(".//.").starts_with("<name>test</name>\ntest\n<uuid>"));
        assert!(sel("//.").starts_with("<?xml"));
        assert_eq!(
            sel("//*[1]"),
            format!(
                "{}<name>test</name>\n<type arch=\"i686\">hvm</type>\n{}<source file=\"/guest/diskimage1\"/>\n\
                 <mac address=\"aa:bb:cc:dd:ee:ff\"/>\n<address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" \
                 slot=\"0x02\" function=\"0x0\"/>\n",
                sel("/domain"),
                sel("//disk")
            )
        );
        assert_eq!(sel("."), sel("/domain"));
        assert!(sel("/").starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<domain type=\"test\" id=\"1\">\n"
        ));
        assert!(sel("/").ends_with("</domain>\n\n"));
        assert_eq!(sel(".."), sel("/"));
        assert_eq!(sel("/.."), "");
        assert_eq!(
            sel("devices//target"),
            "<target dev=\"vda\" bus=\"virtio\"/>\n<target dev=\"testnet0\"/>\n"
        );
        assert_eq!(
            sel("//devices/disk/../interface/target"),
            "<target dev=\"testnet0\"/>\n"
        );
    }

    #[test]
    fn xpath_attributes_and_text() {
        assert_eq!(
            sel("//@dev"),
            " dev=\"hd\"\n dev=\"vda\"\n dev=\"testnet0\"\n"
        );
        assert_eq!(sel("/domain/name/text()"), "test\n");
        assert_eq!(
            sel("//@dev | //target"),
            " dev=\"hd\"\n<target dev=\"vda\" bus=\"virtio\"/>\n dev=\"vda\"\n<target dev=\"testnet0\"/>\n dev=\"testnet0\"\n"
        );
        assert!(sel("//@*").starts_with(" type=\"test\"\n id=\"1\"\n unit=\"KiB\"\n"));
    }

    #[test]
    fn xpath_predicates() {
        assert_eq!(
            sel("//target[@dev='vda']"),
            "<target dev=\"vda\" bus=\"virtio\"/>\n"
        );
        assert_eq!(
            sel("//disk[target/@dev=\"vda\"]/source/@file"),
            " file=\"/guest/diskimage1\"\n"
        );
        assert_eq!(
            sel("//*[name='test']/uuid"),
            "<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
        );
        assert_eq!(
            sel("//address[last()]/@slot"),
            " slot=\"0x00\"\n slot=\"0x01\"\n slot=\"0x02\"\n"
        );
        assert_eq!(sel("(//address)[last()]/@slot"), " slot=\"0x02\"\n");
        assert_eq!(sel("//devices/*[2]/@type"), " type=\"network\"\n");
        assert_eq!(sel("//target[@dev and @bus]/@dev"), " dev=\"vda\"\n");
        assert_eq!(sel("//target[@dev='x' or @bus]/@dev"), " dev=\"vda\"\n");
        assert_eq!(sel("//target[@dev!='vda']/@dev"), " dev=\"testnet0\"\n");
        assert_eq!(
            sel("//*[starts-with(name(), 'on_')][contains(., 'start')]"),
            "<on_reboot>restart</on_reboot>\n"
        );
        assert_eq!(sel("//devices/*[not(@type)]/@model"), " model=\"virtio\"\n");
        assert_eq!(
            sel("//devices/*[count(address)=1][source]/@type"),
            " type=\"file\"\n type=\"network\"\n"
        );
        assert_eq!(sel("//memory[. > 8000000]/@unit"), " unit=\"KiB\"\n");
        assert_eq!(
            sel("//vcpu[string(.)='2']/@placement"),
            " placement=\"static\"\n"
        );
        assert_eq!(sel("//address[@bus='0x00'][2]/@slot"), "");
        assert_eq!(sel("(//address[@bus='0x00'])[2]/@slot"), " slot=\"0x02\"\n");
        assert_eq!(
            sel("//target/ancestor::*[1]/@type"),
            " type=\"file\"\n type=\"network\"\n"
        );
        assert_eq!(
            sel("//mac/following-sibling::*[1]/@network"),
            " network=\"default\"\n"
        );
    }

    #[test]
    fn xpath_wrap() {
        assert_eq!(wrap("//name"), "<nodes>\n  <name>test</name>\n</nodes>\n");
        assert_eq!(wrap("//nothing"), "<nodes/>\n");
        assert_eq!(
            wrap("//disk"),
            "<nodes>\n  <disk type=\"file\" device=\"disk\">\n    <source file=\"/guest/diskimage1\"/>\n    \
             <target dev=\"vda\" bus=\"virtio\"/>\n    <address type=\"pci\" domain=\"0x0000\" bus=\"0x01\" \
             slot=\"0x00\" function=\"0x0\"/>\n  </disk>\n</nodes>\n"
        );
        assert_eq!(wrap("//target/@dev"), "<nodes dev=\"testnet0\"/>\n");
        assert_eq!(
            wrap("//name/text() | //uuid"),
            "<nodes>test<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid></nodes>\n"
        );
        assert!(
            wrap("/").starts_with("<nodes>\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<domain")
        );
        assert!(wrap("/").ends_with("</domain>\n\n</nodes>\n"));
    }

    #[test]
    fn xpath_rich_document() {
        assert_eq!(
            rich("//title", false),
            "<title>A &amp; B &lt;x&gt; \"q\" 'a' \u{e9}</title>\n"
        );
        assert_eq!(
            rich("//description", false),
            "<description>line1\nline2 &amp; stuff</description>\n"
        );
        assert_eq!(
            rich("//source/@file", false),
            " file=\"/tmp/a &#xE9;&amp;.img\"\n file=\"/tmp/b.iso\"\n"
        );
        assert_eq!(
            rich("//@a", false),
            " a=\"1&amp;2 &lt; &quot;&#xE9;&quot;\"\n"
        );
        assert_eq!(rich("//foo", false), "");
        assert_eq!(rich("//inner", false), "");
        assert_eq!(
            rich("//metadata/*", false),
            "<app1:foo xmlns:app1=\"http://app1.org/app1/\" a=\"1&amp;2 &lt; &quot;&#xE9;&quot;\">fooish<app1:bar/>tail</app1:foo>\n\
             <app2:bar xmlns:app2=\"http://app1.org/app2/\">\n  <app2:x y=\"z\">t</app2:x>\n  <app2:e/>\n</app2:bar>\n\
             <def xmlns=\"http://default.org/\">\n  <inner k=\"v\">txt</inner>\n  <inner/>\n</def>\n"
        );
        assert_eq!(
            rich("//*[local-name()=\"x\"]", true),
            "<nodes>\n  <app2:x xmlns:app2=\"http://app1.org/app2/\" y=\"z\">t</app2:x>\n</nodes>\n"
        );
        assert_eq!(
            rich("//*[local-name()=\"inner\"]", true),
            "<nodes>\n  <inner xmlns=\"http://default.org/\" k=\"v\">txt</inner>\n  <inner xmlns=\"http://default.org/\"/>\n</nodes>\n"
        );
        assert_eq!(
            rich("//*[local-name()=\"bar\"]", true),
            "<nodes>\n  <app1:bar xmlns:app1=\"http://app1.org/app1/\"/>\n  <app2:bar xmlns:app2=\"http://app1.org/app2/\">\n    \
             <app2:x y=\"z\">t</app2:x>\n    <app2:e/>\n  </app2:bar>\n</nodes>\n"
        );
        // Same-name attributes replace each other and move to the end.
        assert_eq!(
            rich("//@dev | //@bus", true),
            "<nodes dev=\"hdc\" bus=\"ide\"/>\n"
        );
        assert_eq!(
            rich("//disk/@device | //target/@bus", true),
            "<nodes device=\"cdrom\" bus=\"ide\"/>\n"
        );
        // Non-ASCII attribute text is escaped, except while dumping the
        // document node itself.
        assert!(rich("/", false).contains("<source file=\"/tmp/a \u{e9}&amp;.img\"/>"));
        assert!(rich("/", true).contains("<source file=\"/tmp/a &#xE9;&amp;.img\"/>"));
        assert_eq!(
            rich("//title | //title/text()", true),
            "<nodes><title>A &amp; B &lt;x&gt; \"q\" 'a' \u{e9}</title>A &amp; B &lt;x&gt; \"q\" 'a' \u{e9}</nodes>\n"
        );
        assert_eq!(rich("//metadata/*[1]/text()", false), "fooish\ntail\n");
        // Namespace nodes: the xml one plus those in scope; virsh prints them as "(null)".
        assert_eq!(rich("//*[count(namespace::*)=2]/@k", false), " k=\"v\"\n");
        assert_eq!(
            rich("//*[local-name()='x']/namespace::*", false),
            "(null)\n(null)\n"
        );
    }

    #[test]
    fn xpath_not_a_node_set() {
        for e in [
            "string(//name)",
            "count(//disk)",
            "true()",
            "\"str\"",
            "1",
            "name(",
            "(count(//disk))[1]",
        ] {
            assert_eq!(
                select(TEST_XML, e, false),
                Err(format!("internal error: Incorrect xpath '{e}'")),
                "{e}"
            );
            assert_eq!(
                select(TEST_XML, e, true),
                Err(format!("internal error: Incorrect xpath '{e}'")),
                "{e}"
            );
        }
        assert_eq!(select(TEST_XML, "", false), Err(String::new()));
    }

    #[test]
    fn xpath_errors() {
        let inv = "XPath error : Invalid expression\n";
        assert_eq!(
            stderr("//[bad", false),
            (String::new(), format!("{inv}//[bad\n  ^\n"))
        );
        assert_eq!(
            stderr("//[bad", true),
            ("<nodes/>\n".into(), format!("{inv}//[bad\n  ^\n"))
        );
        assert_eq!(stderr("//", false).1, inv);
        assert_eq!(stderr("  ", false).1, inv);
        assert_eq!(stderr("//name[", false).1, inv);
        assert_eq!(stderr("/a/", false).1, inv);
        assert_eq!(
            stderr("//a[[", false).1,
            format!("{inv}//a[[\n    ^\n{inv}")
        );
        assert_eq!(stderr("a | | b", false).1, format!("{inv}a | | b\n    ^\n"));
        assert_eq!(
            stderr("//name]", false).1,
            format!("{inv}//name]\n      ^\n")
        );
        assert_eq!(
            stderr("//*[name(]", false).1,
            format!("{inv}//*[name(]\n         ^\n")
        );
        assert_eq!(
            stderr("name name", false).1,
            format!("{inv}name name\n     ^\n")
        );
        assert_eq!(stderr("a||b", false).1, format!("{inv}a||b\n  ^\n"));
        assert_eq!(stderr("|name", false).1, format!("{inv}|name\n^\n"));
        assert_eq!(stderr("..a", false).1, format!("{inv}..a\n  ^\n"));
        assert_eq!(
            stderr("//name[1", false).1,
            "XPath error : Invalid predicate\n"
        );
        assert_eq!(
            stderr("\"abc", false).1,
            "XPath error : Unfinished literal\n"
        );
        assert_eq!(
            stderr("//name/text(", false).1,
            "XPath error : Missing closing curly brace\n"
        );
        assert_eq!(stderr("$x", false).1, "XPath error : Undefined variable\n");
        assert_eq!(
            stderr("foo(", false).1,
            "xmlXPathCompOpEval: function foo not found\nXPath error : Unregistered function\n"
        );
        assert_eq!(
            stderr("foo:bar()", false).1,
            "xmlXPathCompOpEval: function bar bound to undefined prefix foo\n"
        );
        assert_eq!(
            stderr("//app1:foo", false),
            (
                String::new(),
                "XPath error : Undefined namespace prefix\n".into()
            )
        );
        assert_eq!(stderr("count(1)", false).1, "XPath error : Invalid type\n");
        assert_eq!(
            stderr("count()", false).1,
            "XPath error : Invalid number of arguments\n"
        );
        assert_eq!(stderr("1 | 2", false).1, "XPath error : Invalid type\n");
        assert_eq!(
            stderr("(count(//name))[1][1]", false).1,
            "XPath error : Invalid type\n"
        );
        assert_eq!(
            stderr("processing-instruction(pi)", false).1,
            "XPath error : Start of literal\nprocessing-instruction(pi)\n                       ^\n\
             XPath error : Invalid expression\nprocessing-instruction(pi)\n                       ^\n"
        );
        assert_eq!(
            stderr("//name[.='\u{1f}']", false).1,
            "XPath error : Unfinished literal\n//name[.='\u{1f}']\n          ^\n"
        );
        // Errors in never-evaluated predicates are not reported.
        assert_eq!(
            stderr("//nothing[foo()]", false),
            (String::new(), String::new())
        );
        assert_eq!(select(TEST_XML, "//[bad", false), Ok(String::new()));
    }

    #[test]
    fn xpath_blank_heuristics() {
        let xml = "<r>\n  <a>  </a>\n  <b>\n   text\n   <c/>\n</b>\n  <d xml:space='preserve'> <e/> </d>\n  <f><!--c--><?p x?><![CDATA[x]]>y</f>\n</r>\n";
        assert_eq!(select(xml, "//a", false).unwrap(), "<a>  </a>\n");
        assert_eq!(
            select(xml, "//b", false).unwrap(),
            "<b>\n   text\n   <c/>\n</b>\n"
        );
        assert_eq!(
            select(xml, "//d", false).unwrap(),
            "<d xml:space=\"preserve\"> <e/> </d>\n"
        );
        assert_eq!(
            select(xml, "//f/node()", false).unwrap(),
            "<!--c-->\n<?p x?>\n<![CDATA[x]]>\ny\n"
        );
        assert_eq!(
            select(xml, "//f/text()", false).unwrap(),
            "<![CDATA[x]]>\ny\n"
        );
        assert_eq!(
            select(xml, "count(//text())", false),
            Err("internal error: Incorrect xpath 'count(//text())'".into())
        );
        assert_eq!(
            select("<r><x/></r>", "/", false).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>\n  <x/>\n</r>\n\n"
        );
    }

    #[test]
    fn xpath_numbers() {
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(-0.25), "-0.25");
        assert_eq!(format_number(1e10), "1e+10");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(1.0 / 3.0), "0.333333333333333");
        assert_eq!(format_number(123456789.5), "123456789.5");
        assert_eq!(format_number(1e-7), "1e-07");
        assert_eq!(string_to_number(" 12.50 "), 12.5);
        assert!(string_to_number("1x").is_nan());
        assert_eq!(substring("12345", 1.5, Some(2.6)), "234");
        assert_eq!(substring("12345", 0.0, Some(3.0)), "12");
    }

    #[test]
    fn xpath_malformed_input_never_panics() {
        for xml in [
            "",
            "<a>",
            "<a></b>",
            "text",
            "<a x='1' x='2'/>",
            "<a>&bogus;</a>",
            "<a/><b/>",
        ] {
            assert!(select(xml, "//a", false).is_err(), "{xml}");
        }
        for e in [
            "(((",
            "[",
            "]",
            "@@",
            "$",
            "'",
            "1 div",
            "child::",
            "//a[1][",
            "processing-instruction('x",
            "\u{e9}",
            "a\u{301}",
        ] {
            let _ = evaluate(TEST_XML, e, false);
            let _ = evaluate(TEST_XML, e, true);
        }
        let deep = "(".repeat(600) + "1" + &")".repeat(600);
        assert_eq!(
            stderr(&deep, false).1,
            "XPath error : Recursion limit exceeded\n"
        );
        let long = "1".to_string() + &"+1".repeat(200_000);
        assert_eq!(
            stderr(&long, false).1,
            "XPath error : Recursion limit exceeded\n"
        );
        let _ = evaluate(TEST_XML, &"/a".repeat(200_000), false);
        let nested = "<a>".repeat(300) + &"</a>".repeat(300);
        assert!(select(&nested, "//a", false).is_err());
    }
}
