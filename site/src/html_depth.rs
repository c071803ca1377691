//! A conservative model of how deep an HTML parser's stack of open elements can grow from a
//! document's raw HTML, so the markdown renderer can escape raw HTML that would nest too deep.
//!
//! Why: the sanitiser parses the rendered page with html5ever, whose cost per tag grows with
//! the number of open elements (scope checks walk the stack, formatting elements are
//! reconstructed), so 100,000 nested `<div>`s take minutes.
//!
//! The model never counts fewer open elements than html5ever can have. Raw HTML comes in runs
//! (consecutive raw pieces and plain text, with none of markdown's own tags between). Tags
//! are tokenised the way the HTML tokenizer does (quoted attribute values only after `=`,
//! comments, bogus comments). Inside a run every non-void start tag counts as open, and an
//! end tag closes an element only when it names the element the run opened last and has not
//! closed: html5ever then closes it too (it is its current node, or html5ever closed it
//! already). What a run leaves open stays counted for good, since markdown's tags around it
//! make html5ever's later choices unpredictable to a model this small. Formatting elements
//! html5ever reopens are clones of elements the model still counts, so they add nothing.
//! Elements whose content or placement follows other rules (raw text, foreign content,
//! tables, select, template) make the run refused, as does a run that ends inside a tag or a
//! comment. Over-counting only means some unusual raw HTML is shown escaped.

/// The model's state: how many raw elements earlier runs left open.
#[derive(Debug, Clone, Default)]
pub struct OpenElements {
    left_open: usize,
}

/// One run being read: the elements it opened and has not closed.
struct Run {
    stack: Vec<String>,
    below: usize,
    limit: usize,
}

/// Where the tokenizer is inside a run of raw HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    Data,
    TagOpen,
    EndTagOpen,
    TagName {
        end: bool,
    },
    BeforeAttrName {
        end: bool,
    },
    AttrName {
        end: bool,
    },
    AfterAttrName {
        end: bool,
    },
    BeforeAttrValue {
        end: bool,
    },
    AttrValue {
        end: bool,
        quote: u8,
    },
    SelfClosing {
        end: bool,
    },
    /// `<!` seen: a comment (`<!--`) or a bogus comment.
    MarkupDecl {
        dashes: u8,
    },
    CommentStart,
    CommentStartDash,
    Comment,
    CommentEndDash,
    CommentEnd,
    CommentEndBang,
    /// `<!x`, `<?x`, `</1`: ends at the next `>`.
    Bogus,
}

/// Why a run of raw HTML is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// It would nest deeper than the limit.
    TooDeep,
    /// It ends inside a tag or comment: what html5ever makes of the markup after it is not
    /// modelled.
    Unfinished,
    /// It opens an element whose content the tokenizer or tree builder reads by other rules
    /// (script, style, textarea, svg, template...).
    Opaque,
    /// A tag has more than [`MAX_ATTRIBUTES`] attributes (html5ever checks each new one
    /// against all before it).
    TooManyAttributes,
}

/// Attributes one tag may have.
pub const MAX_ATTRIBUTES: usize = 64;

/// Elements whose content is tokenised or built by other rules (raw text, RCDATA, foreign
/// content, templates, select) or that switch html5ever's insertion mode (table parts, which
/// also imply parents): a run opening one is refused rather than modelled.
const OPAQUE: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
    "svg",
    "math",
    "template",
    "select",
    "table",
    "caption",
    "colgroup",
    "col",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "td",
    "th",
];

/// Tag names are compared up to this length; longer ones become [`LONG_NAME`].
const MAX_NAME: usize = 32;
/// Stands for any overlong tag name: counted open, never closed.
const LONG_NAME: &str = "\u{0}long";

/// Elements with no end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr", "basefont", "bgsound", "frame", "image",
];

impl OpenElements {
    /// How many elements the raw HTML accepted so far may hold open.
    pub fn depth(&self) -> usize {
        self.left_open
    }

    /// Reads one run of raw HTML on top of `base` elements markdown holds open. Accepted (and
    /// what it leaves open counted) when html5ever ends it in plain data and never holds more
    /// than `limit` elements open while reading it; refused, leaving the model as it was,
    /// otherwise.
    pub fn try_run(&mut self, pieces: &[&str], base: usize, limit: usize) -> Result<(), Refused> {
        let mut run = Run {
            stack: Vec::new(),
            below: base + self.left_open,
            limit,
        };
        let mut scan = Scan::Data;
        for piece in pieces {
            run.feed(piece, &mut scan)?;
        }
        if scan != Scan::Data {
            return Err(Refused::Unfinished);
        }
        self.left_open += run.stack.len();
        Ok(())
    }
}

impl Run {
    fn feed(&mut self, html: &str, scan: &mut Scan) -> Result<(), Refused> {
        let b = html.as_bytes();
        let mut name = String::new();
        let mut attributes = 0usize;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let ws = matches!(c, b'\t' | b'\n' | b'\x0c' | b' ' | b'\r');
            *scan = match *scan {
                Scan::Data => match memchr::memchr(b'<', &b[i..]) {
                    Some(p) => {
                        i += p + 1;
                        *scan = Scan::TagOpen;
                        continue;
                    }
                    None => break,
                },
                Scan::TagOpen => match c {
                    b'!' => Scan::MarkupDecl { dashes: 0 },
                    b'/' => Scan::EndTagOpen,
                    b'?' => Scan::Bogus,
                    c if c.is_ascii_alphabetic() => {
                        name.clear();
                        name.push(c.to_ascii_lowercase() as char);
                        attributes = 0;
                        Scan::TagName { end: false }
                    }
                    b'<' => Scan::TagOpen,
                    _ => Scan::Data,
                },
                Scan::EndTagOpen => match c {
                    c if c.is_ascii_alphabetic() => {
                        name.clear();
                        name.push(c.to_ascii_lowercase() as char);
                        attributes = 0;
                        Scan::TagName { end: true }
                    }
                    b'>' => Scan::Data,
                    _ => Scan::Bogus,
                },
                Scan::TagName { end } => match c {
                    _ if ws => Scan::BeforeAttrName { end },
                    b'/' => Scan::SelfClosing { end },
                    b'>' => self.tag(&name, end)?,
                    _ => {
                        // A name longer than any the model knows is kept as one marker that
                        // no end tag closes (memory stays flat, and nothing is undercounted).
                        if name == LONG_NAME {
                        } else if name.len() < MAX_NAME {
                            name.push(c.to_ascii_lowercase() as char);
                        } else {
                            name.clear();
                            name.push_str(LONG_NAME);
                        }
                        Scan::TagName { end }
                    }
                },
                Scan::BeforeAttrName { end } => match c {
                    _ if ws => Scan::BeforeAttrName { end },
                    b'/' => Scan::SelfClosing { end },
                    b'>' => self.tag(&name, end)?,
                    _ => new_attribute(&mut attributes, end)?,
                },
                Scan::AttrName { end } => match c {
                    _ if ws => Scan::AfterAttrName { end },
                    b'/' => Scan::SelfClosing { end },
                    b'=' => Scan::BeforeAttrValue { end },
                    b'>' => self.tag(&name, end)?,
                    _ => Scan::AttrName { end },
                },
                Scan::AfterAttrName { end } => match c {
                    _ if ws => Scan::AfterAttrName { end },
                    b'/' => Scan::SelfClosing { end },
                    b'=' => Scan::BeforeAttrValue { end },
                    b'>' => self.tag(&name, end)?,
                    _ => new_attribute(&mut attributes, end)?,
                },
                Scan::BeforeAttrValue { end } => match c {
                    _ if ws => Scan::BeforeAttrValue { end },
                    b'"' | b'\'' => Scan::AttrValue { end, quote: c },
                    b'>' => self.tag(&name, end)?,
                    _ => Scan::AttrValue { end, quote: 0 },
                },
                Scan::AttrValue { end, quote: 0 } => match c {
                    _ if ws => Scan::BeforeAttrName { end },
                    b'>' => self.tag(&name, end)?,
                    _ => Scan::AttrValue { end, quote: 0 },
                },
                Scan::AttrValue { end, quote } => match memchr::memchr(quote, &b[i..]) {
                    // After a quoted value, anything but space, `/` or `>` starts the next
                    // attribute name, exactly as from BeforeAttrName.
                    Some(p) => {
                        i += p + 1;
                        *scan = Scan::BeforeAttrName { end };
                        continue;
                    }
                    None => break,
                },
                Scan::SelfClosing { end } => match c {
                    // A self-closing flag does not close a non-void HTML element.
                    b'>' => self.tag(&name, end)?,
                    _ => {
                        *scan = Scan::BeforeAttrName { end };
                        continue;
                    }
                },
                Scan::MarkupDecl { dashes } => match (dashes, c) {
                    (0, b'-') => Scan::MarkupDecl { dashes: 1 },
                    (1, b'-') => Scan::CommentStart,
                    (_, b'>') => Scan::Data,
                    _ => Scan::Bogus,
                },
                Scan::CommentStart => match c {
                    b'-' => Scan::CommentStartDash,
                    b'>' => Scan::Data,
                    _ => Scan::Comment,
                },
                Scan::CommentStartDash => match c {
                    b'-' => Scan::CommentEnd,
                    b'>' => Scan::Data,
                    _ => Scan::Comment,
                },
                Scan::Comment => match c {
                    b'-' => Scan::CommentEndDash,
                    _ => Scan::Comment,
                },
                Scan::CommentEndDash => match c {
                    b'-' => Scan::CommentEnd,
                    _ => Scan::Comment,
                },
                Scan::CommentEnd => match c {
                    b'>' => Scan::Data,
                    b'!' => Scan::CommentEndBang,
                    b'-' => Scan::CommentEnd,
                    _ => Scan::Comment,
                },
                Scan::CommentEndBang => match c {
                    b'-' => Scan::CommentEndDash,
                    b'>' => Scan::Data,
                    _ => Scan::Comment,
                },
                Scan::Bogus => match memchr::memchr(b'>', &b[i..]) {
                    Some(p) => {
                        i += p + 1;
                        *scan = Scan::Data;
                        continue;
                    }
                    None => break,
                },
            };
            i += 1;
        }
        Ok(())
    }

    /// A complete tag was read.
    fn tag(&mut self, name: &str, end: bool) -> Result<Scan, Refused> {
        let depth = self.below + self.stack.len();
        if end {
            // An overlong name stands for many: it closes nothing.
            if name != LONG_NAME && self.stack.last().is_some_and(|top| top == name) {
                self.stack.pop();
            } else if name == "p" && depth + 1 > self.limit {
                // `</p>` with no open `p` makes html5ever insert an empty one.
                return Err(Refused::TooDeep);
            }
            return Ok(Scan::Data);
        }
        if OPAQUE.contains(&name) {
            return Err(Refused::Opaque);
        }
        // A void element is inserted and popped at once: one level deeper for a moment.
        if depth + 1 > self.limit {
            return Err(Refused::TooDeep);
        }
        if !VOID.contains(&name) {
            self.stack.push(name.to_string());
        }
        Ok(Scan::Data)
    }
}

/// One more attribute on the current tag.
fn new_attribute(count: &mut usize, end: bool) -> Result<Scan, Refused> {
    *count += 1;
    if *count > MAX_ATTRIBUTES {
        return Err(Refused::TooManyAttributes);
    }
    Ok(Scan::AttrName { end })
}

#[cfg(test)]
mod tests;
