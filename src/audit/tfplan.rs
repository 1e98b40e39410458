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

/// The `tfplan` format version this decoder knows (Terraform 1.x writes 3).
const VERSION: u64 = 3;

/// Decodes `tfplan`; `decls` are the root module's variable declarations (from `tfconfig/`).
pub fn decode(tfplan: &[u8], decls: &[VarDecl]) -> Result<Decoded, Error> {
    let mut vars = Vec::new();
    let mut changes = Vec::new();
    let mut drift = Vec::new();
    let mut deferred = Vec::new();
    let mut outputs = Vec::new();
    let mut backend = None;
    let (mut version, mut tf_version, mut refresh_only) = (None, false, false);
    for field in Fields::new(tfplan) {
        let (num, val, at) = field?;
        match (num, val) {
            (1, Val::Varint(v)) => version = Some(v),
            (14, Val::Bytes(_)) => tf_version = true,
            (17, Val::Varint(mode)) => refresh_only = mode == 2,
            (2, Val::Bytes(b)) => vars.push((at, name_and_value(b)?)),
            (3, Val::Bytes(b)) => changes.push((at, resource_change(b)?)),
            (18, Val::Bytes(b)) => drift.push((at, resource_change(b)?)),
            (27, Val::Bytes(b)) => {
                // A deferred change: the change is field 2.
                for f in Fields::new(b) {
                    if let (2, Val::Bytes(c), _) = f? {
                        deferred.push((at, resource_change(c)?));
                    }
                }
            }
            (4, Val::Bytes(b)) => outputs.push((at, output_change(b)?)),
            (13 | 29, Val::Bytes(b)) => backend = Some(name_and_value(b)?),
            _ => {}
        }
    }
    // An empty or cut `tfplan` decodes to nothing: not a plan, not a clean one.
    match version {
        Some(VERSION) if tf_version => {}
        Some(VERSION) => return Err("no Terraform version: not a whole plan".into()),
        Some(v) => return Err(format!("unsupported tfplan format version {v}")),
        None => return Err("no format version: not a Terraform plan".into()),
    }
    // What `terraform show -json` prints: drift only with an action, but all of it in a
    // refresh-only plan; no deletes of data resources (an implementation detail).
    if !refresh_only {
        drift.retain(|(_, c)| c.action != 0);
    }
    for list in [&mut changes, &mut drift, &mut deferred] {
        list.retain(|(_, c)| !(c.is_data() && c.action == 5));
        // Terraform's order: `AbsResourceInstance.Less`, then the deposed key.
        list.sort_by(|a, b| (&a.1.address, &a.1.deposed).cmp(&(&b.1.address, &b.1.deposed)));
    }
    // Variables the caller did not set show their declared default.
    for d in decls {
        if let Some(default) = d
            .default
            .as_ref()
            .filter(|_| !vars.iter().any(|v| v.1 .0 == d.name))
        {
            vars.push((0, (d.name.clone(), default.clone())));
        }
    }

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
        out.anchors.push((pointer("/variables", name), *at));
    }
    j.push('}');
    for (key, list) in [
        ("resource_drift", &drift),
        ("resource_changes", &changes),
        ("deferred_changes", &deferred),
    ] {
        let _ = write!(j, ",{}:[", quote(key));
        for (i, (at, c)) in list.iter().enumerate() {
            if i > 0 {
                j.push(',');
            }
            if key == "deferred_changes" {
                j.push_str("{\"resource_change\":");
            }
            c.write(j);
            if key == "deferred_changes" {
                j.push('}');
            }
            out.anchors.push((format!("/{key}/{i}"), *at));
        }
        j.push(']');
    }
    j.push_str(",\"output_changes\":{");
    for (i, (at, (name, change))) in outputs.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        let _ = write!(j, "{}:", quote(name));
        change.write(j);
        out.anchors.push((pointer("/output_changes", name), *at));
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
    for (i, d) in decls.iter().filter(|d| d.sensitive).enumerate() {
        if i > 0 {
            j.push(',');
        }
        let _ = write!(j, "{}:{{\"sensitive\":true}}", quote(&d.name));
    }
    j.push_str("}}}}");
    Ok(out)
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// `prefix` and one escaped pointer segment.
fn pointer(prefix: &str, seg: &str) -> String {
    let mut p = prefix.to_string();
    super::finding::push_pointer_segment(&mut p, seg);
    p
}

/// A message with a string as field 1 and a `DynamicValue` as field 2: a `variables` map
/// entry (name, value) or a backend (type, config); the value as JSON.
fn name_and_value(b: &[u8]) -> Result<(String, String), Error> {
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
    address: Address,
    deposed: String,
    action: u64,
    change: Change,
}

impl ResourceChange {
    fn is_data(&self) -> bool {
        self.address.mode == 0
    }

    fn write(&self, j: &mut String) {
        let a = &self.address;
        let _ = write!(
            j,
            "{{\"address\":{},\"mode\":{},\"type\":{},\"name\":{},",
            quote(&self.addr),
            quote(if self.is_data() { "data" } else { "managed" }),
            quote(&a.rtype),
            quote(&a.name)
        );
        if !self.deposed.is_empty() {
            let _ = write!(j, "\"deposed\":{},", quote(&self.deposed));
        }
        j.push_str("\"change\":");
        self.change.write(j);
        j.push('}');
    }
}

fn resource_change(b: &[u8]) -> Result<ResourceChange, Error> {
    let (mut addr, mut deposed, mut c, mut action) = (String::new(), String::new(), None, 0);
    for f in Fields::new(b) {
        match f? {
            (13, Val::Bytes(a), _) => addr = String::from_utf8_lossy(a).into_owned(),
            (7, Val::Bytes(d), _) => deposed = String::from_utf8_lossy(d).into_owned(),
            (9, Val::Bytes(ch), _) => {
                let (parsed, act) = change(ch)?;
                c = Some(parsed);
                action = act;
            }
            _ => {}
        }
    }
    Ok(ResourceChange {
        address: Address::parse(&addr),
        addr,
        deposed,
        action,
        change: c.unwrap_or_default(),
    })
}

fn output_change(b: &[u8]) -> Result<(String, Change), Error> {
    let (mut name, mut c, mut sensitive) = (String::new(), Change::default(), false);
    for f in Fields::new(b) {
        match f? {
            (1, Val::Bytes(n), _) => name = String::from_utf8_lossy(n).into_owned(),
            (2, Val::Bytes(ch), _) => c = change(ch)?.0,
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

/// A `Change` and its action.
fn change(b: &[u8]) -> Result<(Change, u64), Error> {
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
    Ok((c, action))
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
        take(self.b, &mut self.pos, n, "protobuf")
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

/// The `n` bytes of `b` at `*pos`, moving past them; `what` names the format in the error.
fn take<'a>(b: &'a [u8], pos: &mut usize, n: usize, what: &str) -> Result<&'a [u8], Error> {
    let end = pos
        .checked_add(n)
        .filter(|&e| e <= b.len())
        .ok_or_else(|| format!("truncated {what}"))?;
    let s = &b[*pos..end];
    *pos = end;
    Ok(s)
}

impl Msgpack<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], Error> {
        take(self.b, &mut self.pos, n, "msgpack")
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
        self.typed(out, depth, None)
    }

    /// [`Msgpack::value`] with the value's cty type, when known (a dynamic value carries
    /// it): cty writes a number that float64 cannot hold exactly as a string, which plan
    /// JSON prints as a number again.
    fn typed(
        &mut self,
        out: &mut String,
        depth: usize,
        ty: Option<&serde_json::Value>,
    ) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Err("msgpack value nested too deep".into());
        }
        let tag = *self.take(1)?.first().unwrap_or(&0xc1);
        match tag {
            0xa0..=0xbf | 0xd9..=0xdb => {
                let n = match tag {
                    0xa0..=0xbf => usize::from(tag & 0x1f),
                    _ => self.len(1 << (tag - 0xd9))?,
                };
                let text = String::from_utf8_lossy(self.take(n)?);
                if ty.is_some_and(|t| t == "number") {
                    match serde_json::from_str::<serde_json::Number>(&text) {
                        Ok(_) => out.push_str(&text),
                        Err(_) => out.push_str("null"),
                    }
                } else {
                    out.push_str(&quote(&text));
                }
            }
            0x00..=0x7f => {
                let _ = write!(out, "{tag}");
            }
            0xe0..=0xff => {
                let _ = write!(out, "{}", tag as i8);
            }
            0x80..=0x8f => self.map(out, usize::from(tag & 0x0f), depth, ty)?,
            0x90..=0x9f => self.array(out, usize::from(tag & 0x0f), depth, ty)?,
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
            0xdc | 0xdd => {
                let n = self.len(2 << (tag - 0xdc))?;
                self.array(out, n, depth, ty)?;
            }
            0xde | 0xdf => {
                let n = self.len(2 << (tag - 0xde))?;
                self.map(out, n, depth, ty)?;
            }
            _ => return Err(format!("invalid msgpack byte 0x{tag:02x}")),
        }
        Ok(())
    }

    fn array(
        &mut self,
        out: &mut String,
        n: usize,
        depth: usize,
        ty: Option<&serde_json::Value>,
    ) -> Result<(), Error> {
        // A dynamic value: its type as JSON bytes, then the value.
        if n == 2 && matches!(self.b.get(self.pos), Some(0xc4..=0xc6)) && !is_kind(ty, "tuple") {
            let tag = self.b[self.pos];
            self.pos += 1;
            let len = self.len(1 << (tag - 0xc4))?;
            let inner: Option<serde_json::Value> = serde_json::from_slice(self.take(len)?).ok();
            return self.typed(out, depth + 1, inner.as_ref());
        }
        out.push('[');
        for i in 0..n {
            if i > 0 {
                out.push(',');
            }
            self.typed(out, depth + 1, member_type(ty, Member::Index(i)))?;
        }
        out.push(']');
        Ok(())
    }

    fn map(
        &mut self,
        out: &mut String,
        n: usize,
        depth: usize,
        ty: Option<&serde_json::Value>,
    ) -> Result<(), Error> {
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
            let key_at = out.len();
            self.value(out, depth + 1)?;
            let key = serde_json::from_str::<String>(&out[key_at..]).unwrap_or_default();
            out.push(':');
            self.typed(out, depth + 1, member_type(ty, Member::Key(&key)))?;
        }
        out.push('}');
        Ok(())
    }
}

/// A member of a sequence (by index) or of a map or object (by key).
enum Member<'k> {
    Index(usize),
    Key(&'k str),
}

/// The cty type (JSON) of a member of a value of type `ty`, when `ty` says it: element
/// `i` of a list, set or tuple, or attribute `key` of a map or object.
fn member_type<'t>(
    ty: Option<&'t serde_json::Value>,
    m: Member<'_>,
) -> Option<&'t serde_json::Value> {
    let t = ty?.as_array()?;
    let (kind, arg) = (t.first()?.as_str()?, t.get(1)?);
    match (kind, m) {
        ("list" | "set", Member::Index(_)) | ("map", Member::Key(_)) => Some(arg),
        ("tuple", Member::Index(i)) => arg.get(i),
        ("object", Member::Key(k)) => arg.get(k),
        _ => None,
    }
}

/// Whether a cty type (JSON) is a collection or structural type of this kind.
fn is_kind(ty: Option<&serde_json::Value>, kind: &str) -> bool {
    ty.and_then(|t| t.as_array())
        .is_some_and(|t| t.first().is_some_and(|k| k == kind))
}

fn number(out: &mut String, v: f64) {
    match serde_json::Number::from_f64(v) {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("null"),
    }
}

/// An instance key (`[0]`, `["a"]`): none sorts first, then numbers, then strings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    None,
    Int(i64),
    Str(String),
}

impl Key {
    fn parse(s: &str) -> Key {
        let Some(inner) = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
            return Key::None;
        };
        if let Ok(i) = inner.parse() {
            return Key::Int(i);
        }
        Key::Str(serde_json::from_str(inner).unwrap_or_else(|_| inner.to_string()))
    }
}

/// A resource instance address, ordered as Terraform orders them: module path (shorter
/// first, then by step name and key), data before managed, type, name, key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Address {
    modules: Vec<(String, Key)>,
    /// 0 data, 1 managed.
    mode: u8,
    rtype: String,
    name: String,
    key: Key,
}

impl Address {
    /// Parses e.g. `module.a["x.y"].data.http.h[0]`.
    fn parse(addr: &str) -> Address {
        let mut parts = Vec::new();
        let (mut depth, mut quoted, mut start) = (0i32, false, 0);
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
        let split = |step: &str| match step.find('[') {
            Some(k) => (step[..k].to_string(), Key::parse(&step[k..])),
            None => (step.to_string(), Key::None),
        };
        let mut rest = &parts[..];
        let mut modules = Vec::new();
        while rest.first() == Some(&"module") && rest.len() > 2 {
            modules.push(split(rest[1]));
            rest = &rest[2..];
        }
        let mode = if rest.first() == Some(&"data") && rest.len() > 2 {
            rest = &rest[1..];
            0
        } else {
            1
        };
        let rtype = rest.first().copied().unwrap_or("").to_string();
        let (name, key) = split(rest.get(1).copied().unwrap_or(""));
        Address {
            modules,
            mode,
            rtype,
            name,
            key,
        }
    }
}

impl Address {
    fn sort_key(&self) -> (usize, &[(String, Key)], u8, &str, &str, &Key) {
        let a = self;
        (
            a.modules.len(),
            &a.modules,
            a.mode,
            &a.rtype,
            &a.name,
            &a.key,
        )
    }
}

impl Ord for Address {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&o.sort_key())
    }
}

impl PartialOrd for Address {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

/// A root module variable declaration, as far as the audit needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarDecl {
    pub name: String,
    pub sensitive: bool,
    /// Its default as JSON, when the configuration gives a literal one.
    pub default: Option<String>,
}

/// One file's view of a variable: `None` where the file does not set the attribute;
/// a default that is set but is no literal is `Some(None)`.
struct RawDecl {
    name: String,
    sensitive: Option<bool>,
    default: Option<Option<String>>,
}

/// The root module's variables from its files (`(file name, text)`): `.tf` and `.tf.json`,
/// override files (`override.tf`, `*_override.tf`, and `.tf.json` alike) applied last, as
/// Terraform does.
pub fn root_variables(files: &[(String, String)]) -> Vec<VarDecl> {
    let is_override = |n: &str| {
        let stem = n.trim_end_matches(".json").trim_end_matches(".tf");
        stem == "override" || stem.ends_with("_override")
    };
    let mut decls: Vec<RawDecl> = Vec::new();
    for pass_overrides in [false, true] {
        for (name, text) in files
            .iter()
            .filter(|(n, _)| is_override(n) == pass_overrides)
        {
            let found = if name.ends_with(".json") {
                json_variables(text)
            } else {
                hcl_variables(text)
            };
            for d in found {
                match decls.iter_mut().find(|x| x.name == d.name) {
                    Some(x) if pass_overrides => {
                        x.sensitive = d.sensitive.or(x.sensitive);
                        x.default = d.default.or(x.default.take());
                    }
                    Some(_) => {}
                    None => decls.push(d),
                }
            }
        }
    }
    decls
        .into_iter()
        .map(|d| VarDecl {
            name: d.name,
            sensitive: d.sensitive.unwrap_or(false),
            default: d.default.flatten(),
        })
        .collect()
}

fn json_variables(text: &str) -> Vec<RawDecl> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let blocks: Vec<&serde_json::Value> = match &v["variable"] {
        serde_json::Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for block in blocks {
        let Some(map) = block.as_object() else {
            continue;
        };
        for (name, attrs) in map {
            let sensitive = match &attrs["sensitive"] {
                serde_json::Value::Bool(b) => Some(*b),
                serde_json::Value::String(s) => Some(s == "true"),
                _ => None,
            };
            let default = attrs.get("default").map(|d| {
                // A string with a template is an expression in .tf.json too.
                (!d.as_str().is_some_and(|s| s.contains("${"))).then(|| d.to_string())
            });
            out.push(RawDecl {
                name: name.clone(),
                sensitive,
                default,
            });
        }
    }
    out
}

/// An attribute's value as JSON, when it is a literal (string without template, number,
/// bool, null).
fn literal(value: &[Tok]) -> Option<String> {
    match value {
        [Tok::Str(s, false)] => Some(quote(s)),
        [Tok::Number(n)] => serde_json::from_str::<serde_json::Number>(n)
            .ok()
            .map(|n| n.to_string()),
        [Tok::Ident(w)] if matches!(w.as_str(), "true" | "false" | "null") => Some(w.clone()),
        _ => None,
    }
}

/// HCL tokens, as far as blocks and literal attributes go.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// A quoted string (decoded) and whether it holds a template (`${`, `%{`).
    Str(String, bool),
    Number(String),
    Open,
    Close,
    Eq,
    Not,
    Newline,
    Other,
}

/// Splits HCL source into [`Tok`]s; comments and heredocs are skipped (a heredoc is an
/// expression, never a literal, so it becomes [`Tok::Other`]).
fn lex(src: &str) -> Vec<Tok> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\n' => {
                out.push(Tok::Newline);
                i += 1;
            }
            b'#' => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = src[i + 2..].find("*/").map_or(b.len(), |k| i + 2 + k + 2);
            }
            b'<' if b.get(i + 1) == Some(&b'<') => {
                let mut j = i + 2;
                if b.get(j) == Some(&b'-') {
                    j += 1;
                }
                let start = j;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                let marker = &src[start..j];
                i = line_end(b, j);
                // Up to the line that is only the marker.
                while i < b.len() {
                    let next = line_end(b, i + 1);
                    if src[i + 1..next].trim() == marker && !marker.is_empty() {
                        i = next;
                        break;
                    }
                    i = next;
                }
                out.push(Tok::Other);
            }
            b'"' => {
                let (text, template, end) = string(src, i);
                out.push(Tok::Str(text, template));
                i = end;
            }
            b'{' | b'[' | b'(' => {
                out.push(Tok::Open);
                i += 1;
            }
            b'}' | b']' | b')' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'=' if b.get(i + 1) != Some(&b'=') && b.get(i + 1) != Some(&b'>') => {
                out.push(Tok::Eq);
                i += 1;
            }
            b'!' if b.get(i + 1) != Some(&b'=') => {
                out.push(Tok::Not);
                i += 1;
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-')) {
                    i += 1;
                }
                out.push(Tok::Ident(src[start..i].to_string()));
            }
            _ if c.is_ascii_digit() => {
                let start = i;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
                out.push(Tok::Number(src[start..i].to_string()));
            }
            _ => {
                out.push(Tok::Other);
                i += src[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out
}

/// Index of the `\n` ending the line that `i` is on (or the end).
fn line_end(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &b[i.min(b.len())..]).map_or(b.len(), |k| i + k)
}

/// A quoted string starting at `src[i]`: (decoded text, holds a template, index after it).
fn string(src: &str, i: usize) -> (String, bool, usize) {
    let b = src.as_bytes();
    let (mut j, mut template, mut depth) = (i + 1, false, 0usize);
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'$' | b'%'
                if b.get(j + 1) == Some(&b'{') && b.get(j.wrapping_sub(1)) != Some(&b[j]) =>
            {
                template = true;
                depth += 1;
                j += 2;
            }
            b'}' if depth > 0 => {
                depth -= 1;
                j += 1;
            }
            b'"' if depth == 0 => break,
            b'\n' => break,
            _ => j += 1,
        }
    }
    let raw = &src[i..(j + 1).min(src.len())];
    let text =
        serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.trim_matches('"').to_string());
    (text, template, (j + 1).min(b.len()))
}

/// `variable "NAME" { ... }` blocks at the top level of HCL source, with their
/// `sensitive` and literal `default` attributes.
fn hcl_variables(src: &str) -> Vec<RawDecl> {
    let toks = lex(src);
    let mut out = Vec::new();
    let (mut i, mut depth) = (0, 0usize);
    while i < toks.len() {
        match &toks[i] {
            Tok::Open => depth += 1,
            Tok::Close => depth = depth.saturating_sub(1),
            Tok::Ident(k) if depth == 0 && k == "variable" => {
                if let (Some(Tok::Str(name, false)), Some(Tok::Open)) =
                    (toks.get(i + 1), toks.get(i + 2))
                {
                    let (decl, end) = variable_block(&toks, i + 3, name);
                    out.push(decl);
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The attributes of a variable block whose body starts at `toks[i]`; returns the
/// declaration and the index after the block.
fn variable_block(toks: &[Tok], mut i: usize, name: &str) -> (RawDecl, usize) {
    let mut decl = RawDecl {
        name: name.to_string(),
        sensitive: None,
        default: None,
    };
    let mut depth = 1usize;
    while i < toks.len() && depth > 0 {
        match &toks[i] {
            Tok::Open => depth += 1,
            Tok::Close => depth -= 1,
            Tok::Ident(attr) if depth == 1 && toks.get(i + 1) == Some(&Tok::Eq) => {
                // The value: up to the end of the line, brackets included.
                let start = i + 2;
                let (mut j, mut d) = (start, 0usize);
                while j < toks.len() {
                    match toks[j] {
                        Tok::Open => d += 1,
                        Tok::Close if d == 0 => break,
                        Tok::Close => d -= 1,
                        Tok::Newline if d == 0 => break,
                        _ => {}
                    }
                    j += 1;
                }
                let value = &toks[start..j];
                match attr.as_str() {
                    "sensitive" => {
                        decl.sensitive = Some(match value {
                            [Tok::Ident(w)] | [Tok::Str(w, false)] => w == "true",
                            [Tok::Not, Tok::Ident(w)] => w == "false",
                            _ => false,
                        });
                    }
                    "default" => decl.default = Some(literal(value)),
                    _ => {}
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    (decl, i)
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
        // A dynamic number that float64 cannot hold is a string in msgpack, a number here.
        let mut b = vec![0x92, 0xc4, 0x08];
        b.extend_from_slice(b"\"number\"");
        b.extend_from_slice(&[0xa3, b'0', b'.', b'1']);
        assert_eq!(mp(&b).unwrap(), "0.1");
        let ty = br#"["object",{"n":"number","s":"string","l":["list","number"]}]"#;
        let mut b = vec![0x92, 0xc4, ty.len() as u8];
        b.extend_from_slice(ty);
        b.extend_from_slice(&[
            0x83, 0xa1, b'n', 0xa3, b'1', b'.', b'5', 0xa1, b's', 0xa1, b'7',
        ]);
        b.extend_from_slice(&[0xa1, b'l', 0x91, 0xa2, b'1', b'e']);
        assert_eq!(mp(&b).unwrap(), r#"{"n":1.5,"s":"7","l":[null]}"#);
        // A type taken from the input is only trusted as far as it goes: `[]`, `["list"]`.
        for ty in [&b"[]"[..], br#"["list"]"#, br#"["object",7]"#, b"7"] {
            let mut b = vec![0x92, 0xc4, ty.len() as u8];
            b.extend_from_slice(ty);
            b.extend_from_slice(&[0x91, 0x81, 0xa1, b'k', 0xa1, b'v']);
            assert_eq!(mp(&b).unwrap(), r#"[{"k":"v"}]"#, "{ty:?}");
        }
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
    fn addresses_sort_as_terraform_sorts_them() {
        let a = Address::parse(r#"module.a["x.y"].module.b.data.http.h[0]"#);
        assert_eq!(
            (a.mode, a.rtype.as_str(), a.name.as_str()),
            (0, "http", "h")
        );
        assert_eq!(a.modules[0], ("a".to_string(), Key::Str("x.y".to_string())));
        let mut addrs = vec![
            "module.m.terraform_data.b",
            "terraform_data.a[10]",
            "terraform_data.a[2]",
            r#"terraform_data.a["k"]"#,
            "terraform_data.a",
            "data.terraform_remote_state.r",
            "terraform_data.z",
            "module.m[1].terraform_data.b",
            "module.m[0].module.n.terraform_data.b",
        ];
        addrs.sort_by_key(|a| Address::parse(a));
        assert_eq!(
            addrs,
            [
                "data.terraform_remote_state.r",
                "terraform_data.a",
                "terraform_data.a[2]",
                "terraform_data.a[10]",
                r#"terraform_data.a["k"]"#,
                "terraform_data.z",
                "module.m.terraform_data.b",
                "module.m[1].terraform_data.b",
                "module.m[0].module.n.terraform_data.b",
            ]
        );
    }

    #[test]
    fn root_variables_from_hcl_json_and_overrides() {
        let main = r#"
variable "a" {
  type      = string
  sensitive = true
  default   = "x\"y"
}
# variable "c" { sensitive = true }
variable "b" {
  /* } */ // }
  description = <<-EOT
    a } brace
  EOT
  default = { nested = "}" }
  validation {
    condition     = true
    error_message = "sensitive = true"
  }
  sensitive = "true"
}
variable "d" {
  default = "${var.x}"
}
variable "e" {
  default = 12
  sensitive = false
}
"#;
        let json = r#"{"variable": {"j": {"sensitive": true, "default": {"client_secret": "s"}}}}"#;
        let over =
            "variable \"a\" {\n  sensitive = false\n}\nvariable \"e\" {\n  sensitive = true\n}\n";
        let files = [
            ("main.tf".to_string(), main.to_string()),
            ("vars.tf.json".to_string(), json.to_string()),
            ("main_override.tf".to_string(), over.to_string()),
        ];
        let got: Vec<(String, bool, Option<String>)> = root_variables(&files)
            .into_iter()
            .map(|d| (d.name, d.sensitive, d.default))
            .collect();
        assert_eq!(
            got,
            [
                ("a".to_string(), false, Some(r#""x\"y""#.to_string())),
                ("b".to_string(), true, None),
                ("d".to_string(), false, None),
                ("e".to_string(), true, Some("12".to_string())),
                (
                    "j".to_string(),
                    true,
                    Some(r#"{"client_secret":"s"}"#.to_string())
                ),
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn variable_declarations_never_panic(
            text in proptest::string::string_regex(r#"(variable|"|\\|\{|\}|=|<<-?EOT|EOT|\n|#|//|/\*|\*/|\$\{|sensitive|default|true|!|[ -~]|é|\u{3000})*"#).unwrap(),
        ) {
            let files = [
                ("a.tf".to_string(), text.clone()),
                ("a_override.tf.json".to_string(), text),
            ];
            let _ = root_variables(&files);
        }
    }

    #[test]
    fn truncated_protobuf_is_an_error() {
        // Field 3 (a resource change) announces 16 bytes and has 2.
        assert!(decode(&[0x08, 0x03, 0x1a, 0x10, 0x6a, 0x00], &[]).is_err());
        // Empty, or without the Terraform version Terraform always writes: not a plan.
        assert!(decode(&[], &[]).is_err());
        assert!(decode(&[0x08, 0x03], &[]).is_err());
        assert!(decode(&[0x08, 0x02, 0x72, 0x01, b'1'], &[]).is_err());
        let ok = decode(&[0x08, 0x03, 0x72, 0x01, b'1'], &[]).unwrap();
        assert!(ok.json.contains("\"resource_changes\":[]"));
    }
}
