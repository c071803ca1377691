//! A Rust type as written in the source (`Option<chrono::DateTime<Utc>>`, `&'a str`), parsed
//! into its last path segment and generic arguments: the Rust side of every type check.

/// A parsed Rust type: last path segment and generic arguments (references, lifetimes and
/// paths stripped). `[T]` and `[T; N]` are named "[]".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustType {
    /// Last path segment, e.g. `DateTime`, `Option`, `Vec`, `i64`.
    pub name: String,
    /// Generic arguments.
    pub args: Vec<RustType>,
}

impl RustType {
    /// Parses a type as written (`Option<chrono::DateTime<Utc>>`, `&'a str`, `Vec<u8>`).
    pub fn parse(text: &str) -> RustType {
        // Drop lifetimes first (`&'a str`), then whitespace.
        let mut cleaned = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                while chars
                    .peek()
                    .is_some_and(|n| n.is_alphanumeric() || *n == '_')
                {
                    chars.next();
                }
            } else if !c.is_whitespace() {
                cleaned.push(c);
            }
        }
        let mut p = TypeParser {
            s: cleaned.as_bytes(),
            i: 0,
        };
        p.ty()
    }

    /// `Option<T>` -> (T, true); anything else -> (self, false).
    pub fn strip_option(&self) -> (&RustType, bool) {
        if self.name == "Option" && self.args.len() == 1 {
            (&self.args[0], true)
        } else {
            (self, false)
        }
    }
}

struct TypeParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl TypeParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn ty(&mut self) -> RustType {
        // references and lifetimes
        loop {
            match self.peek() {
                Some(b'&') => self.i += 1,
                Some(b'\'') => {
                    self.i += 1;
                    while self
                        .peek()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                    {
                        self.i += 1;
                    }
                }
                _ => break,
            }
            if self.s[self.i..].starts_with(b"mut") && self.s.get(self.i + 3) != Some(&b'<') {
                self.i += 3;
            }
        }
        if self.peek() == Some(b'[') {
            self.i += 1;
            let inner = self.ty();
            while self.peek().is_some_and(|c| c != b']') {
                self.i += 1;
            }
            self.i += 1;
            return RustType {
                name: "[]".into(),
                args: vec![inner],
            };
        }
        if self.peek() == Some(b'(') {
            self.i += 1;
            let mut args = Vec::new();
            while self.peek().is_some_and(|c| c != b')') {
                args.push(self.ty());
                if self.peek() == Some(b',') {
                    self.i += 1;
                }
            }
            self.i += 1;
            return RustType {
                name: "()".into(),
                args,
            };
        }
        let mut name;
        loop {
            let start = self.i;
            while self
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
            {
                self.i += 1;
            }
            name = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
            if self.s[self.i..].starts_with(b"::") {
                self.i += 2;
                continue;
            }
            break;
        }
        let mut args = Vec::new();
        if self.peek() == Some(b'<') {
            self.i += 1;
            while let Some(c) = self.peek() {
                if c == b'>' {
                    self.i += 1;
                    break;
                }
                if c == b',' {
                    self.i += 1;
                    continue;
                }
                let before = self.i;
                let t = self.ty();
                if self.i == before {
                    self.i += 1;
                    continue;
                }
                if !t.name.is_empty() {
                    args.push(t);
                }
            }
        }
        RustType { name, args }
    }
}
