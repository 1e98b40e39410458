//! The `tfplan` entry of a saved plan file: protobuf (Terraform's
//! `internal/plans/planproto/planfile.proto`) whose values are cty msgpack. It holds every
//! root variable the caller set (sensitive ones included) and every planned value, in
//! clear: what `terraform show -json plan.out` prints. It is decoded here into that JSON's
//! shape (`variables`, `resource_changes` with `before`/`after` and their sensitive paths,
//! `output_changes`, the backend config, and the sensitive variables the configuration
//! declares), which the JSON scanner then audits like any plan, so every rule applies.

use std::fmt::Write as _;

/// A decoded `tfplan`: the plan as JSON, and where its parts start in the `tfplan` bytes.
pub struct Decoded {
    pub json: String,
    /// (JSON pointer prefix, byte offset in `tfplan`) of each variable, change and output.
    pub anchors: Vec<(String, u64)>,
}

impl Decoded {
    /// The `tfplan` offset of the part holding the value at `pointer`.
    pub fn offset_of(&self, pointer: &str) -> u64 {
        self.anchors
            .iter()
            .filter(|(prefix, _)| {
                pointer.starts_with(prefix.as_str())
                    && matches!(pointer.as_bytes().get(prefix.len()), None | Some(b'/'))
            })
            .max_by_key(|(prefix, _)| prefix.len())
            .map_or(0, |(_, off)| *off)
    }
}

/// Why a `tfplan` could not be decoded.
pub type Error = String;

/// Nesting allowed in a msgpack value (cty values are shallow; this bounds hostile input).
const MAX_DEPTH: usize = 256;

/// Decodes `tfplan`; `sensitive_vars` are the root variables the configuration declares
/// `sensitive` (from `tfconfig/`).
pub fn decode(tfplan: &[u8], sensitive_vars: &[String]) -> Result<Decoded, Error> {
    let mut vars = Vec::new();
    let mut changes = Vec::new();
    let mut outputs = Vec::new();
    let mut backend = None;
    for field in Fields::new(tfplan) {
        let (num, val, at) = field?;
        match (num, val) {
            (2, Val::Bytes(b)) => vars.push((at, variable(b)?)),
            (3 | 18, Val::Bytes(b)) => changes.push((at, resource_change(b)?)),
            (27, Val::Bytes(b)) => {
                // A deferred change: the change is field 2.
                for f in Fields::new(b) {
                    if let (2, Val::Bytes(c), _) = f? {
                        changes.push((at, resource_change(c)?));
                    }
                }
            }
            (4, Val::Bytes(b)) => outputs.push((at, output_change(b)?)),
            (13 | 29, Val::Bytes(b)) => backend = Some(backend_config(b)?),
            _ => {}
        }
    }
    // `terraform show -json` lists changes by address.
    changes.sort_by(|a, b| a.1.addr.cmp(&b.1.addr));

    let mut out = Decoded {
        json: String::from("{\"format_version\":\"tfplan\""),
        anchors: Vec::new(),
    };
    let j = &mut out.json;
    j.push_str(",\"variables\":{");
    for (i, (at, (name, value))) in vars.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        let _ = write!(j, "{}:{{\"value\":{value}}}", quote(name));
        out.anchors
            .push((format!("/variables/{}", pointer_seg(name)), *at));
    }
    j.push_str("},\"resource_changes\":[");
    for (i, (at, c)) in changes.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        let (mode, rtype, name) = split_address(&c.addr);
        let _ = write!(
            j,
            "{{\"address\":{},\"mode\":{},\"type\":{},\"name\":{},\"change\":",
            quote(&c.addr),
            quote(mode),
            quote(&rtype),
            quote(&name)
        );
        c.change.write(j);
        j.push('}');
        out.anchors.push((format!("/resource_changes/{i}"), *at));
    }
    j.push_str("],\"output_changes\":{");
    for (i, (at, (name, change))) in outputs.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        let _ = write!(j, "{}:", quote(name));
        change.write(j);
        out.anchors
            .push((format!("/output_changes/{}", pointer_seg(name)), *at));
    }
    j.push('}');
    if let Some((rtype, config)) = backend {
        let _ = write!(
            j,
            ",\"backend\":{{\"type\":{},\"config\":{config}}}",
            quote(&rtype)
        );
    }
    // After `variables`, as in plan JSON (the scanner matches them up at the end).
    j.push_str(",\"configuration\":{\"root_module\":{\"variables\":{");
    for (i, name) in sensitive_vars.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        let _ = write!(j, "{}:{{\"sensitive\":true}}", quote(name));
    }
    j.push_str("}}}}");
    Ok(out)
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn pointer_seg(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// A `variables` map entry: (name, value as JSON).
fn variable(b: &[u8]) -> Result<(String, String), Error> {
    let (mut name, mut value) = (String::new(), String::from("null"));
    for f in Fields::new(b) {
        match f? {
            (1, Val::Bytes(k), _) => name = String::from_utf8_lossy(k).into_owned(),
            (2, Val::Bytes(v), _) => value = dynamic_value(v)?,
            _ => {}
        }
    }
    Ok((name, value))
}

struct ResourceChange {
    addr: String,
    change: Change,
}

fn resource_change(b: &[u8]) -> Result<ResourceChange, Error> {
    let mut rc = ResourceChange {
        addr: String::new(),
        change: Change::default(),
    };
    let mut deposed = String::new();
    for f in Fields::new(b) {
        match f? {
            (13, Val::Bytes(a), _) => rc.addr = String::from_utf8_lossy(a).into_owned(),
            (7, Val::Bytes(d), _) => deposed = String::from_utf8_lossy(d).into_owned(),
            (9, Val::Bytes(c), _) => rc.change = change(c)?,
            _ => {}
        }
    }
    if !deposed.is_empty() {
        // Several changes can share an address; the deposed key tells them apart.
        rc.addr = format!("{} (deposed {deposed})", rc.addr);
    }
    Ok(rc)
}

fn output_change(b: &[u8]) -> Result<(String, Change), Error> {
    let (mut name, mut c, mut sensitive) = (String::new(), Change::default(), false);
    for f in Fields::new(b) {
        match f? {
            (1, Val::Bytes(n), _) => name = String::from_utf8_lossy(n).into_owned(),
            (2, Val::Bytes(ch), _) => c = change(ch)?,
            (3, Val::Varint(v), _) => sensitive = v != 0,
            _ => {}
        }
    }
    if sensitive {
        c.before_sensitive = Marks::All;
        c.after_sensitive = Marks::All;
    }
    Ok((name, c))
}

/// A backend (or state store) config: (type, config as JSON).
fn backend_config(b: &[u8]) -> Result<(String, String), Error> {
    let (mut rtype, mut config) = (String::new(), String::from("null"));
    for f in Fields::new(b) {
        match f? {
            (1, Val::Bytes(t), _) => rtype = String::from_utf8_lossy(t).into_owned(),
            (2, Val::Bytes(c), _) => config = dynamic_value(c)?,
            _ => {}
        }
    }
    Ok((rtype, config))
}

/// Sensitive paths of one side of a change, as plan JSON's `*_sensitive` tree.
#[derive(Default)]
enum Marks {
    #[default]
    None,
    All,
    Paths(Vec<Vec<String>>),
}

impl Marks {
    fn write(&self, j: &mut String) {
        match self {
            Marks::None => j.push_str("false"),
            Marks::All => j.push_str("true"),
            Marks::Paths(paths) => {
                let paths: Vec<&[String]> = paths.iter().map(Vec::as_slice).collect();
                write_tree(j, &paths);
            }
        }
    }
}

/// Nested objects with `true` at each path (array indices as keys: the scanner compares
/// paths as text, where `input/0` is the same either way).
fn write_tree(j: &mut String, paths: &[&[String]]) {
    if paths.iter().any(|p| p.is_empty()) {
        j.push_str("true");
        return;
    }
    let mut heads: Vec<&String> = paths.iter().map(|p| &p[0]).collect();
    heads.sort();
    heads.dedup();
    j.push('{');
    for (i, head) in heads.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        j.push_str(&quote(head));
        j.push(':');
        let rest: Vec<&[String]> = paths
            .iter()
            .filter(|p| &&p[0] == head)
            .map(|p| &p[1..])
            .collect();
        write_tree(j, &rest);
    }
    j.push('}');
}

#[derive(Default)]
struct Change {
    before: Option<String>,
    after: Option<String>,
    before_sensitive: Marks,
    after_sensitive: Marks,
}

impl Change {
    fn write(&self, j: &mut String) {
        let _ = write!(
            j,
            "{{\"before\":{},\"after\":{},\"before_sensitive\":",
            self.before.as_deref().unwrap_or("null"),
            self.after.as_deref().unwrap_or("null")
        );
        self.before_sensitive.write(j);
        j.push_str(",\"after_sensitive\":");
        self.after_sensitive.write(j);
        j.push('}');
    }
}

fn change(b: &[u8]) -> Result<Change, Error> {
    let mut action = 0;
    let mut values = Vec::new();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for f in Fields::new(b) {
        match f? {
            (1, Val::Varint(a), _) => action = a,
            (2, Val::Bytes(v), _) => values.push(dynamic_value(v)?),
            (3, Val::Bytes(p), _) => before.push(path(p)?),
            (4, Val::Bytes(p), _) => after.push(path(p)?),
            _ => {}
        }
    }
    let mut c = Change {
        before_sensitive: Marks::Paths(before),
        after_sensitive: Marks::Paths(after),
        ..Change::default()
    };
    let mut values = values.into_iter();
    match (values.len(), action) {
        // create, create-then-forget: the new value.
        (1, 1 | 9) => c.after = values.next(),
        // delete, forget: the old value.
        (1, 5 | 8) => c.before = values.next(),
        // no-op: unchanged.
        (1, _) => {
            c.before = values.next();
            c.after = c.before.clone();
        }
        _ => {
            c.before = values.next();
            c.after = values.next();
        }
    }
    Ok(c)
}

/// A `Path`: its steps, attribute names and element keys alike as text.
fn path(b: &[u8]) -> Result<Vec<String>, Error> {
    let mut steps = Vec::new();
    for f in Fields::new(b) {
        if let (1, Val::Bytes(step), _) = f? {
            if steps.len() >= MAX_DEPTH {
                return Err("sensitive path too long".into());
            }
            for s in Fields::new(step) {
                match s? {
                    (1, Val::Bytes(name), _) => steps.push(String::from_utf8_lossy(name).into()),
                    (2, Val::Bytes(key), _) => {
                        let v: serde_json::Value = serde_json::from_str(&dynamic_value(key)?)
                            .map_err(|e| format!("element key: {e}"))?;
                        steps.push(match v {
                            serde_json::Value::String(s) => s,
                            other => other.to_string(),
                        });
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(steps)
}

/// A `DynamicValue` message: its msgpack, as JSON.
fn dynamic_value(b: &[u8]) -> Result<String, Error> {
    let mut out = String::from("null");
    for f in Fields::new(b) {
        if let (1, Val::Bytes(m), _) = f? {
            out.clear();
            let mut r = Msgpack { b: m, pos: 0 };
            r.value(&mut out, 0)?;
            if r.pos != m.len() {
                return Err("trailing bytes after a msgpack value".into());
            }
        }
    }
    Ok(out)
}

/// One protobuf field value.
enum Val<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// The fields of a protobuf message: (number, value, offset of the field's value).
struct Fields<'a> {
    b: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> Fields<'a> {
    fn new(b: &'a [u8]) -> Self {
        Fields {
            b,
            pos: 0,
            failed: false,
        }
    }

    fn varint(&mut self) -> Result<u64, Error> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&byte) = self.b.get(self.pos) else {
                return Err("truncated protobuf".into());
            };
            self.pos += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("protobuf varint too long".into())
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], Error> {
        let n = usize::try_from(n).map_err(|_| "protobuf length too large".to_string())?;
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| "truncated protobuf".to_string())?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn field(&mut self) -> Result<(u32, Val<'a>, u64), Error> {
        let key = self.varint()?;
        let num = u32::try_from(key >> 3).map_err(|_| "bad protobuf field number")?;
        let at = self.pos as u64;
        let val = match key & 7 {
            0 => Val::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Val::Fixed
            }
            2 => {
                let n = self.varint()?;
                Val::Bytes(self.take(n)?)
            }
            5 => {
                self.take(4)?;
                Val::Fixed
            }
            w => return Err(format!("unsupported protobuf wire type {w}")),
        };
        Ok((num, val, at))
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u32, Val<'a>, u64), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.b.len() {
            return None;
        }
        let f = self.field();
        self.failed = f.is_err();
        Some(f)
    }
}

/// A cty msgpack value reader that writes JSON.
struct Msgpack<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Msgpack<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| "truncated msgpack".to_string())?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn uint(&mut self, n: usize) -> Result<u64, Error> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |v, &b| (v << 8) | u64::from(b)))
    }

    fn len(&mut self, n: usize) -> Result<usize, Error> {
        usize::try_from(self.uint(n)?).map_err(|_| "msgpack length too large".to_string())
    }

    /// Writes the next value as JSON: strings as strings, maps as objects, unknown values
    /// (extensions) and bytes as null, and cty's dynamic values (`[type as bytes, value]`)
    /// as their value, as plan JSON does.
    fn value(&mut self, out: &mut String, depth: usize) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Err("msgpack value nested too deep".into());
        }
        let tag = *self.take(1)?.first().unwrap_or(&0xc1);
        match tag {
            0x00..=0x7f => {
                let _ = write!(out, "{tag}");
            }
            0xe0..=0xff => {
                let _ = write!(out, "{}", tag as i8);
            }
            0x80..=0x8f => self.map(out, usize::from(tag & 0x0f), depth)?,
            0x90..=0x9f => self.array(out, usize::from(tag & 0x0f), depth)?,
            0xa0..=0xbf => self.string(out, usize::from(tag & 0x1f))?,
            0xc0 => out.push_str("null"),
            0xc2 => out.push_str("false"),
            0xc3 => out.push_str("true"),
            0xc4..=0xc6 => {
                let n = self.len(1 << (tag - 0xc4))?;
                self.take(n)?;
                out.push_str("null");
            }
            0xc7..=0xc9 => {
                let n = self.len(1 << (tag - 0xc7))?;
                self.take(n + 1)?;
                out.push_str("null");
            }
            0xca => {
                let v = f32::from_bits(self.uint(4)? as u32);
                number(out, f64::from(v));
            }
            0xcb => number(out, f64::from_bits(self.uint(8)?)),
            0xcc..=0xcf => {
                let v = self.uint(1 << (tag - 0xcc))?;
                let _ = write!(out, "{v}");
            }
            0xd0..=0xd3 => {
                let n = 1 << (tag - 0xd0);
                let v = self.uint(n)?;
                let shift = 64 - 8 * n as u32;
                let _ = write!(out, "{}", ((v << shift) as i64) >> shift);
            }
            0xd4..=0xd8 => {
                self.take((1 << (tag - 0xd4)) + 1)?;
                out.push_str("null");
            }
            0xd9..=0xdb => {
                let n = self.len(1 << (tag - 0xd9))?;
                self.string(out, n)?;
            }
            0xdc | 0xdd => {
                let n = self.len(2 << (tag - 0xdc))?;
                self.array(out, n, depth)?;
            }
            0xde | 0xdf => {
                let n = self.len(2 << (tag - 0xde))?;
                self.map(out, n, depth)?;
            }
            _ => return Err(format!("invalid msgpack byte 0x{tag:02x}")),
        }
        Ok(())
    }

    fn string(&mut self, out: &mut String, n: usize) -> Result<(), Error> {
        let s = String::from_utf8_lossy(self.take(n)?);
        out.push_str(&quote(&s));
        Ok(())
    }

    fn array(&mut self, out: &mut String, n: usize, depth: usize) -> Result<(), Error> {
        // A dynamic value: its type as JSON bytes, then the value.
        if n == 2 && matches!(self.b.get(self.pos), Some(0xc4..=0xc6)) {
            let mut skip = String::new();
            self.value(&mut skip, depth + 1)?;
            return self.value(out, depth + 1);
        }
        out.push('[');
        for i in 0..n {
            if i > 0 {
                out.push(',');
            }
            self.value(out, depth + 1)?;
        }
        out.push(']');
        Ok(())
    }

    fn map(&mut self, out: &mut String, n: usize, depth: usize) -> Result<(), Error> {
        out.push('{');
        for i in 0..n {
            if i > 0 {
                out.push(',');
            }
            // cty's maps and objects have string keys (anything else is not a plan; quoting
            // nested keys would also double their size at each level).
            let tag = *self.b.get(self.pos).unwrap_or(&0xc1);
            if !matches!(tag, 0xa0..=0xbf | 0xd9..=0xdb) {
                return Err("msgpack map key is not a string".into());
            }
            self.value(out, depth + 1)?;
            out.push(':');
            self.value(out, depth + 1)?;
        }
        out.push('}');
        Ok(())
    }
}

fn number(out: &mut String, v: f64) {
    match serde_json::Number::from_f64(v) {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("null"),
    }
}

/// (mode, type, name) of a resource instance address such as
/// `module.a["x"].data.http.h[0]`.
fn split_address(addr: &str) -> (&'static str, String, String) {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0, false, 0);
    let bytes = addr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'[' if !quoted => depth += 1,
            b']' if !quoted => depth -= 1,
            b'.' if !quoted && depth == 0 => {
                parts.push(&addr[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&addr[start..]);
    let mut rest = &parts[..];
    while rest.first() == Some(&"module") && rest.len() > 2 {
        rest = &rest[2..];
    }
    let mode = if rest.first() == Some(&"data") {
        rest = &rest[1..];
        "data"
    } else {
        "managed"
    };
    let rtype = rest.first().copied().unwrap_or("").to_string();
    let name = rest.get(1).copied().unwrap_or("");
    let name = name.split('[').next().unwrap_or(name).to_string();
    (mode, rtype, name)
}

/// Root variables declared `sensitive = true` in a module's `.tf` source: a light scan of
/// `variable "NAME" { ... }` blocks (braces counted outside strings and comments).
pub fn sensitive_variables(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut from = 0;
    while let Some(i) = src[from..].find("variable") {
        let at = from + i;
        from = at + 8;
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let rest = src[from..].trim_start();
        let Some(rest) = rest.strip_prefix('"') else {
            continue;
        };
        let Some(end) = rest.find('"') else {
            continue;
        };
        let name = &rest[..end];
        let after = rest[end + 1..].trim_start();
        if !after.starts_with('{') {
            continue;
        }
        let body_at = src.len() - after.len() + 1;
        let body = block_body(&src[body_at..]);
        if body.lines().any(|l| {
            let l = l.trim();
            l.strip_prefix("sensitive")
                .map(str::trim_start)
                .and_then(|l| l.strip_prefix('='))
                .is_some_and(|v| v.trim().starts_with("true"))
        }) {
            out.push(name.to_string());
        }
    }
    out
}

/// The text up to the `}` closing a block whose `{` came just before `s`.
fn block_body(s: &str) -> &str {
    let (mut depth, mut quoted, mut escape) = (1usize, false, false);
    let mut comment = false;
    for (i, c) in s.char_indices() {
        if comment {
            comment = c != '\n';
            continue;
        }
        if quoted {
            match (escape, c) {
                (true, _) => escape = false,
                (false, '\\') => escape = true,
                (false, '"') => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '#' => comment = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &s[..i];
                }
            }
            _ => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mp(bytes: &[u8]) -> Result<String, Error> {
        let mut out = String::new();
        let mut r = Msgpack { b: bytes, pos: 0 };
        r.value(&mut out, 0).map(|()| out)
    }

    #[test]
    fn cty_msgpack_becomes_plan_json() {
        // {"id": unknown (refined), "input": dynamic("string", "A=1"), "n": -3, "f": 1.5}
        let mut b = vec![0x84, 0xa2, b'i', b'd', 0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
        b.extend_from_slice(&[0xa5, b'i', b'n', b'p', b'u', b't', 0x92, 0xc4, 0x08]);
        b.extend_from_slice(b"\"string\"");
        b.extend_from_slice(&[0xa3, b'A', b'=', b'1', 0xa1, b'n', 0xfd, 0xa1, b'f', 0xcb]);
        b.extend_from_slice(&1.5f64.to_bits().to_be_bytes());
        assert_eq!(
            mp(&b).unwrap(),
            r#"{"id":null,"input":"A=1","n":-3,"f":1.5}"#
        );
        // A list of two that is not a dynamic value stays a list; unknown is null.
        assert_eq!(mp(&[0x92, 0x01, 0xd4, 0x00, 0x00]).unwrap(), "[1,null]");
        for bad in [
            &[0x81, 0xa1][..],
            &[0xc1],
            &[0xd9, 0x05, b'a'],
            &[0xdc, 0xff],
            // A map as a map key (fuzzing: quoting such keys doubled them at each level).
            &[0x81, 0x81, 0xa1, b'k', 0x01, 0x02],
        ] {
            assert!(mp(bad).is_err(), "{bad:?}");
        }
        let deep = vec![0x91; 1000];
        assert!(mp(&deep).is_err());
    }

    #[test]
    fn addresses_split_into_mode_type_and_name() {
        assert_eq!(
            split_address(r#"module.a["x.y"].module.b.data.http.h[0]"#),
            ("data", "http".to_string(), "h".to_string())
        );
        assert_eq!(
            split_address("terraform_data.creds"),
            ("managed", "terraform_data".to_string(), "creds".to_string())
        );
    }

    #[test]
    fn sensitive_variables_in_hcl() {
        let src = "variable \"a\" {\n  type = string\n  sensitive = true\n}\n# variable \"c\" {}\nvariable \"b\" {\n  default = \"}\"\n  validation {\n    condition = true\n  }\n}\nvariable \"d\" {\n  sensitive=true # x\n}\nmyvariable \"e\" {\n  sensitive = true\n}\n";
        assert_eq!(sensitive_variables(src), ["a", "d"]);
    }

    #[test]
    fn truncated_protobuf_is_an_error() {
        // Field 3 (a resource change) announces 16 bytes and has 2.
        assert!(decode(&[0x08, 0x03, 0x1a, 0x10, 0x6a, 0x00], &[]).is_err());
        let ok = decode(&[0x08, 0x03], &[]).unwrap();
        assert!(ok.json.contains("\"resource_changes\":[]"));
    }
}
