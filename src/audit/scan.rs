//! The structure-aware scanner: consumes tokens of one JSON document, tracks where it is
//! (JSON pointer, resource address, which values are marked sensitive) and applies the rules.
//!
//! Findings inside a resource, instance, output or variable are buffered in that object's
//! frame and finalised at its end, because the fields that name it (`type`, `name`,
//! `index_key`, `sensitive`, ...) may come in any order.

use std::collections::HashSet;
use std::io::Read;

use super::assign;
use super::kinds::{DocKind, TopKeys};
use super::known::Known;
use super::mask::mask;
use super::rules::{
    backend_credential_key, is_placeholder, maybe_secret_key, secret_key_rule, RuleId,
};
use super::tokenizer::{unescape, Kind, ParseError, Token, Tokenizer, Watcher};

/// Decoded strings are scanned recursively up to this depth.
const MAX_NEST: u8 = 4;
/// Candidates buffered per object (sensitive outputs etc.), to bound memory.
const MAX_CANDS: usize = 4096;

/// A finding before it gets its file name and fingerprint.
#[derive(Debug, Clone)]
pub struct Draft {
    pub rule: RuleId,
    pub pointer: String,
    pub inner_pointer: Option<String>,
    pub line: u64,
    pub column: u64,
    pub masked: String,
    pub address: Option<String>,
    index: Option<String>,
    need_tfdata: bool,
}

/// The result of scanning one JSON document.
#[derive(Debug)]
pub struct DocScan {
    /// What the document is (from its top-level keys; meaningful only without `error`).
    pub kind: DocKind,
    /// Whether the keys seen look like a Terraform document (useful after an error).
    pub looks_terraform: bool,
    pub drafts: Vec<Draft>,
    /// Bytes read.
    pub bytes: u64,
    /// Why the document could not be parsed completely, if it could not.
    pub error: Option<ParseError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Plain,
    Root,
    StateResources,
    StateResource,
    Instances,
    StateInstance,
    Outputs,
    Output,
    V3Modules,
    V3Module,
    V3ModulePath,
    V3Resources,
    V3Resource,
    PlanChanges,
    PlanResource,
    Change,
    ValuesRoot,
    ModuleVals,
    ResourcesArr,
    ChildModules,
    PlanVariables,
    PlanVariable,
    Configuration,
    ConfigModule,
    ConfigVariables,
    ConfigVariable,
    ProviderConfig,
    ProviderEntry,
    Backend,
    BackendConfig,
}

impl Role {
    /// Frames that buffer findings and give them (part of) an address.
    fn addressable(self) -> bool {
        matches!(
            self,
            Role::StateResource
                | Role::StateInstance
                | Role::Output
                | Role::V3Module
                | Role::V3Resource
                | Role::PlanResource
                | Role::PlanVariable
                | Role::ConfigVariable
                | Role::ProviderEntry
                | Role::Backend
        )
    }

    /// Frames that collect sensitivity candidates and marks.
    fn sensitivity(self) -> bool {
        matches!(
            self,
            Role::StateInstance
                | Role::PlanResource
                | Role::Output
                | Role::PlanVariable
                | Role::ConfigVariable
        )
    }

    fn child(self, key: &[u8]) -> Role {
        use Role::*;
        match (self, key) {
            (Root, b"resources") => StateResources,
            (Root, b"outputs") | (Root, b"output_changes") => Outputs,
            (Root, b"modules") => V3Modules,
            (Root, b"resource_changes") | (Root, b"resource_drift") => PlanChanges,
            (Root, b"planned_values") | (Root, b"prior_state") | (Root, b"values") => ValuesRoot,
            (Root, b"variables") => PlanVariables,
            (Root, b"configuration") => Configuration,
            (Root, b"backend") => Backend,
            (StateResources, _) => StateResource,
            (StateResource, b"instances") => Instances,
            (Instances, _) => StateInstance,
            (Outputs, _) => Output,
            (V3Modules, _) => V3Module,
            (V3Module, b"path") => V3ModulePath,
            (V3Module, b"resources") => V3Resources,
            (V3Module, b"outputs") => Outputs,
            (V3Resources, _) => V3Resource,
            (PlanChanges, _) => PlanResource,
            (PlanResource, b"change") => Change,
            (ValuesRoot, b"values") => ValuesRoot,
            (ValuesRoot, b"outputs") => Outputs,
            (ValuesRoot, b"root_module") => ModuleVals,
            (ModuleVals, b"resources") => ResourcesArr,
            (ModuleVals, b"child_modules") => ChildModules,
            (ChildModules, _) => ModuleVals,
            (ResourcesArr, _) => PlanResource,
            (PlanVariables, _) => PlanVariable,
            (Configuration, b"root_module") => ConfigModule,
            (Configuration, b"provider_config") => ProviderConfig,
            (ConfigModule, b"variables") => ConfigVariables,
            (ConfigModule, b"resources") => ResourcesArr,
            (ConfigVariables, _) => ConfigVariable,
            (ProviderConfig, _) => ProviderEntry,
            (Backend, b"config") => BackendConfig,
            _ => Plain,
        }
    }

    /// Which value side a key opens in this frame: 1 values/attributes, 2 after, 3 before.
    fn side_of(self, key: &[u8]) -> u8 {
        match (self, key) {
            (Role::StateInstance, b"attributes") | (Role::StateInstance, b"attributes_flat") => 1,
            (Role::PlanResource, b"values") => 1,
            (Role::Change, b"after") | (Role::Output, b"after") => 2,
            (Role::Change, b"before") | (Role::Output, b"before") => 3,
            (Role::Output, b"value")
            | (Role::PlanVariable, b"value")
            | (Role::ConfigVariable, b"default") => 1,
            _ => 0,
        }
    }

    /// Which marker tree a key opens: (kind, side); kind 1 = tree of `true` leaves, 2 =
    /// state `sensitive_attributes` step lists.
    fn marker_of(self, key: &[u8]) -> (u8, u8) {
        match (self, key) {
            (Role::StateInstance, b"sensitive_attributes") => (2, 1),
            (Role::PlanResource, b"sensitive_values") => (1, 1),
            (Role::Change, b"after_sensitive") | (Role::Output, b"after_sensitive") => (1, 2),
            (Role::Change, b"before_sensitive") | (Role::Output, b"before_sensitive") => (1, 3),
            (Role::Output, b"sensitive") => (1, 1),
            _ => (0, 0),
        }
    }
}

/// Key hints, computed once per key.
const H_NONE: u8 = 0;
const H_SECRETISH: u8 = 1;
const H_WRAPPER: u8 = 2;
const H_MARKER: u8 = 3;
const H_SECRET: u8 = 4;
const H_GRANT: u8 = 5;

fn key_hint(key: &[u8]) -> u8 {
    match key {
        b"value" | b"constant_value" => H_WRAPPER,
        b"sensitive_attributes"
        | b"after_sensitive"
        | b"before_sensitive"
        | b"sensitive_values"
        | b"after_unknown"
        | b"replace_paths"
        | b"relevant_attributes"
        | b"before_identity"
        | b"after_identity" => H_MARKER,
        b"secret" => H_SECRET,
        b"authorizedGrantType" => H_GRANT,
        _ if maybe_secret_key(key) || backend_credential_key(key) => H_SECRETISH,
        _ => H_NONE,
    }
}

#[derive(Default, Debug)]
struct FrameData {
    drafts: Vec<Draft>,
    /// (side, relative path, draft) of values that are leaks if marked sensitive.
    cands: Vec<(u8, String, Draft)>,
    /// (side, relative path) of sensitivity marks.
    marks: Vec<(u8, String)>,
    cur_mark: String,
    module: Option<String>,
    mode: Option<String>,
    rtype: Option<String>,
    name: Option<String>,
    index: Option<String>,
    address: Option<String>,
    sensitive: bool,
    module_path: Vec<String>,
}

#[derive(Debug)]
struct Frame {
    is_obj: bool,
    key_start: usize,
    key_len: usize,
    hint: u8,
    index: u64,
    role: Role,
    side: u8,
    side_root: usize,
    marker: u8,
    marker_side: u8,
    marker_root: usize,
    has_grant: bool,
    secret_cand: Option<Draft>,
    data: Option<Box<FrameData>>,
}

struct Analyzer<'k> {
    frames: Vec<Frame>,
    arena: Vec<u8>,
    scratch: Vec<u8>,
    top: TopKeys,
    drafts: Vec<Draft>,
    var_cands: Vec<(String, Draft)>,
    sensitive_vars: HashSet<String>,
    nest: u8,
    known: Option<&'k Known>,
    /// A problem the structure makes for the rules (the document cannot be judged).
    error: Option<ParseError>,
}

impl<'k> Analyzer<'k> {
    fn new(nest: u8, known: Option<&'k Known>) -> Self {
        Analyzer {
            frames: Vec::with_capacity(32),
            arena: Vec::with_capacity(1024),
            scratch: Vec::new(),
            top: TopKeys::default(),
            drafts: Vec::new(),
            var_cands: Vec::new(),
            sensitive_vars: HashSet::new(),
            nest,
            known,
            error: None,
        }
    }

    fn key_of(&self, i: usize) -> &[u8] {
        let f = &self.frames[i];
        &self.arena[f.key_start..f.key_start + f.key_len]
    }

    /// The key under which frame `i` sits in its parent (empty for the root or array items).
    fn own_key(&self, i: usize) -> &[u8] {
        if i == 0 || !self.frames[i - 1].is_obj {
            return b"";
        }
        self.key_of(i - 1)
    }

    fn push_seg(&self, i: usize, out: &mut String) {
        let f = &self.frames[i];
        if f.is_obj {
            super::finding::push_pointer_segment(out, &String::from_utf8_lossy(self.key_of(i)));
        } else {
            out.push('/');
            out.push_str(&f.index.to_string());
        }
    }

    /// JSON pointer of the current value.
    fn pointer(&self) -> String {
        let mut s = String::new();
        for i in 0..self.frames.len() {
            self.push_seg(i, &mut s);
        }
        s
    }

    /// Relative path (segments joined by `/`) of the current value below frame `root`.
    fn relpath(&self, root: usize) -> String {
        let mut s = String::new();
        for i in root..self.frames.len() {
            if i > root {
                s.push('/');
            }
            let f = &self.frames[i];
            if f.is_obj {
                s.push_str(&String::from_utf8_lossy(self.key_of(i)));
            } else {
                s.push_str(&f.index.to_string());
            }
        }
        s
    }

    fn draft(&self, rule: RuleId, tok: &Token<'_>, masked: String) -> Draft {
        Draft {
            rule,
            pointer: self.pointer(),
            inner_pointer: None,
            line: tok.line,
            column: tok.col,
            masked,
            address: None,
            index: None,
            need_tfdata: false,
        }
    }

    fn emit(&mut self, d: Draft) {
        for f in self.frames.iter_mut().rev() {
            if f.role.addressable() {
                f.data.get_or_insert_with(Default::default).drafts.push(d);
                return;
            }
        }
        self.drafts.push(d);
    }

    fn sframe(&self) -> Option<usize> {
        (0..self.frames.len())
            .rev()
            .find(|&i| self.frames[i].role.sensitivity())
    }

    /// Whether the container just opened (the top frame) may be skimmed instead of read
    /// token by token: `Some(needles)` if no rule can fire inside it without a needle
    /// (see [`super::skim`]) or at all. A whole resource qualifies: without a needle it is
    /// neither a `terraform_data` nor holds a secret-ish key or value.
    fn skim_plan(&self) -> Option<bool> {
        let idx = self.frames.len().checked_sub(1).filter(|&i| i > 0)?;
        let f = &self.frames[idx];
        let resource = matches!(f.role, Role::StateResource | Role::PlanResource);
        if f.role != Role::Plain && !(resource && f.is_obj) {
            return None;
        }
        match f.marker {
            0 => {}
            // `after_unknown` and the like: nothing inside is ever reported.
            3 => return Some(false),
            _ => return None,
        }
        // A secret-ish key above names every value inside.
        if self.frames[..idx]
            .iter()
            .any(|p| p.is_obj && matches!(p.hint, H_SECRETISH | H_SECRET))
        {
            return None;
        }
        // Values that are leaks when marked sensitive need no needle.
        if f.side != 0 {
            if let Some(s) = self.sframe().filter(|&s| f.side_root > s) {
                match self.frames[s].role {
                    Role::StateInstance | Role::PlanResource if !self.maybe_tfdata(s) => {}
                    _ => return None,
                }
            }
        }
        Some(true)
    }

    /// Whether the resource around sensitivity frame `s` may be a `terraform_data` (its
    /// type is unknown so far, or is that).
    fn maybe_tfdata(&self, s: usize) -> bool {
        let resource = (0..=s).rev().find(|&i| {
            matches!(
                self.frames[i].role,
                Role::StateResource | Role::PlanResource
            )
        });
        let rtype = resource.and_then(|i| self.frames[i].data.as_ref()?.rtype.as_deref());
        rtype.is_none_or(|t| t == "terraform_data")
    }

    /// Accounts for `n` array elements skipped after the one just ended.
    fn skip_siblings(&mut self, n: u32) {
        if let Some(f) = self.frames.last_mut().filter(|f| !f.is_obj) {
            f.index = f.index.wrapping_add(n as u64);
        }
    }

    /// Starts a value (scalar or container) in the top frame: advances array indices.
    fn begin_value(&mut self) {
        if let Some(f) = self.frames.last_mut() {
            if !f.is_obj {
                f.index = f.index.wrapping_add(1);
            }
        }
    }

    fn on_token(
        &mut self,
        tok: &Token<'_>,
        matches: Option<&mut std::collections::VecDeque<(u64, u64, usize)>>,
    ) {
        match tok.kind {
            Kind::Key => self.on_key(tok),
            Kind::StartObject | Kind::StartArray => self.on_start(tok.kind == Kind::StartObject),
            Kind::EndObject | Kind::EndArray => self.on_end(),
            Kind::Str => {
                self.begin_value();
                self.on_string(tok);
            }
            Kind::Number | Kind::True | Kind::False | Kind::Null => {
                self.begin_value();
                self.on_scalar(tok);
            }
            Kind::End => {}
        }
        // After the token, so the pointer includes a new key or array index.
        if let Some(m) = matches {
            if !m.is_empty() {
                self.claim_matches(tok, m);
            }
        }
    }

    fn claim_matches(
        &mut self,
        tok: &Token<'_>,
        m: &mut std::collections::VecDeque<(u64, u64, usize)>,
    ) {
        let end = tok.offset + tok.raw.len() as u64 + 2;
        while let Some(&(s, _e, pid)) = m.front() {
            if s >= end {
                break;
            }
            m.pop_front();
            let is_str = matches!(tok.kind, Kind::Str | Kind::Key) && s >= tok.offset;
            let masked = match (is_str, self.known) {
                (true, _) => {
                    let mut buf = Vec::new();
                    unescape(tok.raw, &mut buf);
                    mask(&String::from_utf8_lossy(&buf))
                }
                (false, Some(k)) => k.masked(pid),
                (false, None) => String::new(),
            };
            let d = self.draft(RuleId::KnownSecret, tok, masked);
            self.emit(d);
        }
    }

    fn on_key(&mut self, tok: &Token<'_>) {
        let depth = self.frames.len();
        let Some(f) = self.frames.last_mut() else {
            return;
        };
        self.arena.truncate(f.key_start);
        if tok.escaped {
            unescape(tok.raw, &mut self.arena);
        } else {
            self.arena.extend_from_slice(tok.raw);
        }
        f.key_len = self.arena.len() - f.key_start;
        let key = &self.arena[f.key_start..];
        f.hint = key_hint(key);
        if f.hint == H_GRANT {
            f.has_grant = true;
        }
        if depth == 1 && self.nest == 0 {
            self.top.see(key);
        }
    }

    fn on_start(&mut self, is_obj: bool) {
        self.begin_value();
        let (role, side, side_root, marker, marker_side, marker_root) = match self.frames.last() {
            None => (Role::Root, 0, 0, 0, 0, 0),
            Some(p) => {
                let idx = self.frames.len() - 1;
                let key: &[u8] = if p.is_obj { self.key_of(idx) } else { b"" };
                let role = p.role.child(key);
                let new_idx = self.frames.len();
                let (mut side, mut side_root) = (p.side, p.side_root);
                let s = p.role.side_of(key);
                if s != 0 {
                    side = s;
                    side_root = new_idx;
                }
                let (mut marker, mut marker_side, mut marker_root) =
                    (p.marker, p.marker_side, p.marker_root);
                if marker == 0 {
                    let (mk, ms) = p.role.marker_of(key);
                    if mk != 0 {
                        (marker, marker_side, marker_root) = (mk, ms, new_idx);
                    } else if p.is_obj && p.hint == H_MARKER {
                        (marker, marker_side, marker_root) = (3, 0, new_idx);
                    }
                }
                (role, side, side_root, marker, marker_side, marker_root)
            }
        };
        let key_start = self.arena.len();
        self.frames.push(Frame {
            is_obj,
            key_start,
            key_len: 0,
            hint: H_NONE,
            index: u64::MAX,
            role,
            side,
            side_root,
            marker,
            marker_side,
            marker_root,
            has_grant: false,
            secret_cand: None,
            data: None,
        });
    }

    fn on_end(&mut self) {
        let Some(mut f) = self.frames.pop() else {
            return;
        };
        let idx = self.frames.len();
        // A finished step list of `sensitive_attributes`: one mark.
        if f.marker == 2 && idx == f.marker_root + 1 {
            if let Some(s) = self.sframe() {
                let d = self.frames[s].data.get_or_insert_with(Default::default);
                let m = std::mem::take(&mut d.cur_mark);
                d.marks.push((f.marker_side, m));
            }
        }
        if f.has_grant {
            if let Some(d) = f.secret_cand.take() {
                self.emit(d);
            }
        }
        // Most objects buffer nothing: leave before decoding their name.
        let Some(mut data) = f.data.take() else {
            return;
        };
        let own_key = String::from_utf8_lossy(self.own_key_after_pop(idx)).into_owned();
        match f.role {
            Role::StateInstance => {
                tfdata_matches(&mut data, true);
                let index = data.index.clone();
                for d in &mut data.drafts {
                    if d.index.is_none() {
                        d.index = index.clone();
                    }
                }
            }
            Role::StateResource => {
                let is_tfdata = data.rtype.as_deref() == Some("terraform_data");
                let base = compose_address(&data);
                data.drafts.retain(|d| !d.need_tfdata || is_tfdata);
                for d in &mut data.drafts {
                    if d.address.is_none() {
                        d.address = base
                            .as_ref()
                            .map(|b| format!("{b}{}", d.index.as_deref().unwrap_or("")));
                    }
                }
            }
            Role::PlanResource => {
                tfdata_matches(&mut data, false);
                let is_tfdata = data.rtype.as_deref() == Some("terraform_data");
                data.drafts.retain(|d| !d.need_tfdata || is_tfdata);
                let addr = data.address.clone().or_else(|| {
                    compose_address(&data)
                        .map(|b| format!("{b}{}", data.index.as_deref().unwrap_or("")))
                });
                for d in &mut data.drafts {
                    if d.address.is_none() {
                        d.address = addr.clone();
                    }
                }
            }
            Role::Output => {
                let cands = std::mem::take(&mut data.cands);
                for (side, rel, mut d) in cands {
                    if marked(&data.marks, side, &rel) {
                        d.rule = RuleId::SensitiveOutput;
                        data.drafts.push(d);
                    }
                }
                set_address(&mut data.drafts, format!("output.{own_key}"));
            }
            Role::PlanVariable => {
                for (_, _, d) in std::mem::take(&mut data.cands) {
                    self.var_cands.push((own_key.clone(), d));
                }
                set_address(&mut data.drafts, format!("var.{own_key}"));
            }
            Role::ConfigVariable => {
                if data.sensitive {
                    self.sensitive_vars.insert(own_key.clone());
                    for (_, _, mut d) in std::mem::take(&mut data.cands) {
                        d.rule = RuleId::SensitiveVariable;
                        data.drafts.push(d);
                    }
                }
                set_address(&mut data.drafts, format!("var.{own_key}"));
            }
            Role::V3Resource => set_address(&mut data.drafts, v3_address(&own_key)),
            Role::V3Module => {
                let prefix: String = data
                    .module_path
                    .iter()
                    .skip(1)
                    .map(|m| format!("module.{m}."))
                    .collect();
                for d in &mut data.drafts {
                    if let Some(a) = &d.address {
                        d.address = Some(format!("{prefix}{a}"));
                    } else if !prefix.is_empty() {
                        d.address = Some(prefix.trim_end_matches('.').to_string());
                    }
                }
            }
            Role::ProviderEntry => set_address(&mut data.drafts, format!("provider.{own_key}")),
            Role::Backend => set_address(
                &mut data.drafts,
                format!("backend.{}", data.rtype.as_deref().unwrap_or("unknown")),
            ),
            _ => {}
        }
        let drafts = std::mem::take(&mut data.drafts);
        for d in drafts {
            self.emit(d);
        }
    }

    fn own_key_after_pop(&self, idx: usize) -> &[u8] {
        // After popping frame `idx`, its parent is the top frame; the key is still in place.
        if idx == 0 || !self.frames[idx - 1].is_obj {
            return b"";
        }
        self.key_of(idx - 1)
    }

    /// Records fields that name objects (`type`, `name`, `index_key`, `sensitive`, ...).
    fn record_field(&mut self, value: &Token<'_>) {
        let idx = self.frames.len() - 1;
        let f = &self.frames[idx];
        let role = f.role;
        if !matches!(
            role,
            Role::StateResource
                | Role::StateInstance
                | Role::PlanResource
                | Role::ConfigVariable
                | Role::Backend
                | Role::V3ModulePath
                | Role::Root
        ) {
            return;
        }
        let text = || -> String {
            let mut b = Vec::new();
            unescape(value.raw, &mut b);
            String::from_utf8_lossy(&b).into_owned()
        };
        if role == Role::V3ModulePath {
            if value.kind == Kind::Str && idx > 0 {
                let t = text();
                self.frames[idx - 1]
                    .data
                    .get_or_insert_with(Default::default)
                    .module_path
                    .push(t);
            }
            return;
        }
        if role == Role::Root {
            if self.nest == 0 && value.kind == Kind::Number && self.key_of(idx) == b"version" {
                self.top.version = std::str::from_utf8(value.raw)
                    .ok()
                    .and_then(|s| s.parse().ok());
            }
            return;
        }
        let key = self.key_of(idx);
        if !matches!(
            key,
            b"module"
                | b"module_address"
                | b"mode"
                | b"type"
                | b"name"
                | b"address"
                | b"index_key"
                | b"index"
                | b"sensitive"
        ) {
            return;
        }
        let key = key.to_vec();
        let is_str = value.kind == Kind::Str;
        let data = self.frames[idx].data.get_or_insert_with(Default::default);
        match (role, key.as_slice()) {
            (Role::StateResource, b"module") | (Role::PlanResource, b"module_address")
                if is_str =>
            {
                data.module = Some(text())
            }
            (Role::StateResource | Role::PlanResource, b"mode") if is_str => {
                data.mode = Some(text())
            }
            (Role::StateResource | Role::PlanResource, b"type")
                if is_str && data.rtype.is_some() =>
            {
                // Skimming decided on the first `type`; a second one could turn the
                // resource into a `terraform_data` after the fact.
                self.error.get_or_insert(ParseError::DuplicateType {
                    line: value.line,
                    col: value.col,
                });
            }
            (Role::StateResource | Role::PlanResource | Role::Backend, b"type") if is_str => {
                data.rtype = Some(text())
            }
            (Role::StateResource | Role::PlanResource, b"name") if is_str => {
                data.name = Some(text())
            }
            (Role::PlanResource, b"address") if is_str => data.address = Some(text()),
            (Role::StateInstance, b"index_key") | (Role::PlanResource, b"index") => {
                data.index = match value.kind {
                    Kind::Number => Some(format!("[{}]", String::from_utf8_lossy(value.raw))),
                    Kind::Str => Some(format!("[\"{}\"]", text())),
                    _ => None,
                }
            }
            (Role::ConfigVariable, b"sensitive") if value.kind == Kind::True => {
                data.sensitive = true
            }
            _ => {}
        }
    }

    fn on_scalar(&mut self, tok: &Token<'_>) {
        let Some(top) = self.frames.last() else {
            return;
        };
        let idx = self.frames.len() - 1;
        // `true` leaves of marker trees are sensitivity marks.
        if tok.kind == Kind::True || tok.kind == Kind::Number {
            let (mk, ms, rel) = if top.marker != 0 {
                (top.marker, top.marker_side, Some(top.marker_root))
            } else if top.is_obj {
                let (mk, ms) = top.role.marker_of(self.key_of(idx));
                (mk, ms, None)
            } else {
                (0, 0, None)
            };
            if mk == 1 && tok.kind == Kind::True {
                let rel = rel.map(|r| self.relpath(r)).unwrap_or_default();
                if let Some(s) = self.sframe() {
                    self.frames[s]
                        .data
                        .get_or_insert_with(Default::default)
                        .marks
                        .push((ms, rel));
                }
            } else if mk == 2 && tok.kind == Kind::Number {
                self.step_segment(tok);
            }
        }
        self.record_field(tok);
    }

    /// A `value` of a `sensitive_attributes` step (`get_attr` name or index key).
    fn step_segment(&mut self, tok: &Token<'_>) {
        let idx = self.frames.len() - 1;
        let top = &self.frames[idx];
        let depth_below = idx.saturating_sub(top.marker_root);
        if !(top.is_obj && self.key_of(idx) == b"value" && (depth_below == 2 || depth_below == 3)) {
            return;
        }
        let mut seg = Vec::new();
        unescape(tok.raw, &mut seg);
        if let Some(s) = self.sframe() {
            let d = self.frames[s].data.get_or_insert_with(Default::default);
            if !d.cur_mark.is_empty() {
                d.cur_mark.push('/');
            }
            d.cur_mark.push_str(&String::from_utf8_lossy(&seg));
        }
    }

    /// The key that names the current value: array items take their holder's key, and
    /// `value`/`constant_value` wrappers (outputs, variables, dynamic values, plan
    /// configuration) take the key they wrap.
    fn effective_key(&self) -> Option<usize> {
        let mut i = self.frames.len();
        let mut steps = 0;
        while i > 0 && steps < 8 {
            i -= 1;
            steps += 1;
            let f = &self.frames[i];
            if !f.is_obj {
                continue;
            }
            if f.hint == H_WRAPPER {
                continue;
            }
            if f.role == Role::Output && matches!(self.key_of(i), b"after" | b"before") {
                continue;
            }
            return Some(i);
        }
        None
    }

    /// Whether the current value sits where a sensitivity candidate is collected: any value
    /// of an output or variable, and `input`/`output` of a resource (terraform_data).
    fn side_relevant(&self) -> bool {
        let idx = self.frames.len() - 1;
        let top = &self.frames[idx];
        if top.is_obj && top.role.side_of(self.key_of(idx)) != 0 {
            return true;
        }
        if top.side == 0 || top.side_root == 0 {
            return false;
        }
        let opener = self.frames[top.side_root - 1].role;
        match opener {
            Role::Output | Role::PlanVariable | Role::ConfigVariable => true,
            Role::StateInstance | Role::PlanResource | Role::Change => {
                self.frames[top.side_root].is_obj
                    && matches!(self.key_of(top.side_root), b"input" | b"output")
            }
            _ => false,
        }
    }

    fn on_string(&mut self, tok: &Token<'_>) {
        // A bare string as the whole document: nothing to name it.
        let Some(idx) = self.frames.len().checked_sub(1) else {
            return;
        };
        let top = &self.frames[idx];
        if top.marker != 0 {
            if top.marker == 2 {
                self.step_segment(tok);
            }
            return;
        }
        let direct = if top.is_obj { top.hint } else { H_NONE };
        if direct == H_MARKER {
            return;
        }
        self.record_field(tok);
        let eff_hint = if direct == H_WRAPPER
            || !self.frames[idx].is_obj
            || self.frames[idx].role == Role::Output
        {
            self.effective_key().map_or(H_NONE, |k| self.frames[k].hint)
        } else {
            direct
        };
        // Text worth decoding and searching: the same test as skimming's needles, so a
        // container skimmed as needle-free never holds such a string.
        let long =
            tok.raw.len() >= 12 && self.nest < MAX_NEST && super::skim::value_has_needle(tok.raw);
        let hint = direct;
        if direct != H_SECRET && eff_hint != H_SECRETISH && !long && !self.side_relevant() {
            return;
        }
        // Decode once; everything below needs the real value.
        self.scratch.clear();
        if tok.escaped {
            unescape(tok.raw, &mut self.scratch);
        } else {
            self.scratch.extend_from_slice(tok.raw);
        }
        let value = String::from_utf8_lossy(&self.scratch).into_owned();
        let placeholder = is_placeholder(&value);

        // Key rules.
        if !placeholder {
            if let Some(rule) = self.key_rule(hint) {
                let d = self.draft(rule, tok, mask(&value));
                self.emit(d);
            }
        }
        // A `secret` beside `authorizedGrantType` (checked when the object ends).
        if hint == H_SECRET && !placeholder {
            let d = self.draft(RuleId::GenesysOauthClientSecret, tok, mask(&value));
            self.frames[idx].secret_cand = Some(d);
        }
        // Values that are leaks if marked sensitive.
        if !placeholder {
            self.candidate(tok, &value);
        }
        // Secrets inside the string.
        if long {
            self.scan_inner(tok, &value);
        }
    }

    fn key_rule(&self, hint: u8) -> Option<RuleId> {
        let top = self.frames.last()?;
        if top.is_obj
            && hint == H_SECRETISH
            && top.role == Role::BackendConfig
            && backend_credential_key(self.key_of(self.frames.len() - 1))
        {
            return Some(RuleId::BackendCredential);
        }
        let k = self.effective_key()?;
        let f = &self.frames[k];
        if f.hint != H_SECRETISH {
            return None;
        }
        let key = self.key_of(k);
        if let Some(rule) = secret_key_rule(key) {
            return Some(rule);
        }
        if key == b"access_token"
            && self.frames.iter().enumerate().any(|(i, f)| {
                f.role == Role::ProviderEntry && self.own_key(i).starts_with(b"genesyscloud")
            })
        {
            return Some(RuleId::ProviderCredential);
        }
        None
    }

    fn candidate(&mut self, tok: &Token<'_>, _value: &str) {
        let Some(s) = self.sframe() else { return };
        let idx = self.frames.len() - 1;
        let top = &self.frames[idx];
        let (side, rel) = if top.is_obj && top.role.side_of(self.key_of(idx)) != 0 {
            (top.role.side_of(self.key_of(idx)), String::new())
        } else if top.side != 0 && top.side_root > s {
            (top.side, self.relpath(top.side_root))
        } else {
            return;
        };
        let role = self.frames[s].role;
        let (rel, tfdata) = match role {
            Role::StateInstance | Role::PlanResource => {
                let first = rel.split('/').next().unwrap_or("");
                if first != "input" && first != "output" {
                    return;
                }
                // State stores dynamic values as {"value": ..., "type": ...}.
                let rel = if role == Role::StateInstance {
                    let mut parts: Vec<&str> = rel.split('/').collect();
                    if parts.get(1) == Some(&"value") {
                        parts.remove(1);
                    }
                    parts.join("/")
                } else {
                    rel
                };
                (rel, true)
            }
            _ => (rel, false),
        };
        let mut d = self.draft(RuleId::TerraformDataSensitive, tok, mask(_value));
        d.need_tfdata = tfdata;
        let data = self.frames[s].data.get_or_insert_with(Default::default);
        if data.cands.len() < MAX_CANDS {
            data.cands.push((side, rel, d));
        }
    }

    fn scan_inner(&mut self, tok: &Token<'_>, value: &str) {
        let bytes = value.as_bytes();
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
        let mut inner: Vec<Draft> = Vec::new();
        let mut parsed = false;
        if matches!(first, Some(b'{') | Some(b'[')) {
            let r = scan_whole(bytes, self.nest + 1, None, None);
            if r.error.is_none() {
                parsed = true;
                inner = r.drafts;
            }
        }
        if !parsed && assign::may_contain_assignment(bytes) {
            for a in assign::find_assignments(value, false) {
                let mut ip = String::new();
                super::finding::push_pointer_segment(&mut ip, &a.key);
                inner.push(Draft {
                    rule: if a.rule == RuleId::ClientSecret {
                        RuleId::ClientSecretAssignment
                    } else {
                        a.rule
                    },
                    pointer: ip,
                    inner_pointer: None,
                    line: 0,
                    column: 0,
                    masked: a.masked,
                    address: None,
                    index: None,
                    need_tfdata: false,
                });
            }
        }
        for i in inner {
            let mut d = self.draft(i.rule, tok, i.masked);
            d.inner_pointer = Some(match i.inner_pointer {
                Some(deeper) => format!("{}{}", i.pointer, deeper),
                None => i.pointer,
            });
            self.emit(d);
        }
    }

    /// Flushes open frames after an error so buffered findings are not lost.
    fn flush(&mut self) {
        while !self.frames.is_empty() {
            self.on_end();
        }
    }

    fn finish(&mut self) {
        for (name, mut d) in std::mem::take(&mut self.var_cands) {
            if self.sensitive_vars.contains(&name) {
                d.rule = RuleId::SensitiveVariable;
                if d.address.is_none() {
                    d.address = Some(format!("var.{name}"));
                }
                self.drafts.push(d);
            }
        }
    }
}

fn set_address(drafts: &mut [Draft], addr: String) {
    for d in drafts {
        if d.address.is_none() {
            d.address = Some(addr.clone());
        }
    }
}

fn marked(marks: &[(u8, String)], side: u8, rel: &str) -> bool {
    marks.iter().any(|(s, m)| {
        *s == side
            && (m.is_empty()
                || rel == m
                || (rel.starts_with(m.as_str()) && rel.as_bytes().get(m.len()) == Some(&b'/')))
    })
}

/// terraform_data: a candidate under `input`/`output` is a leak if its `input` path is marked
/// (the `output` copy is never marked itself).
fn tfdata_matches(data: &mut FrameData, _state: bool) {
    let cands = std::mem::take(&mut data.cands);
    for (side, rel, d) in cands {
        let mirrored = rel.strip_prefix("output").map(|r| format!("input{r}"));
        if marked(&data.marks, side, &rel)
            || mirrored
                .as_deref()
                .is_some_and(|m| marked(&data.marks, side, m))
        {
            data.drafts.push(d);
        }
    }
}

fn compose_address(data: &FrameData) -> Option<String> {
    let t = data.rtype.as_deref()?;
    let n = data.name.as_deref()?;
    let mut s = String::new();
    if let Some(m) = data.module.as_deref().filter(|m| !m.is_empty()) {
        s.push_str(m);
        s.push('.');
    }
    if data.mode.as_deref() == Some("data") {
        s.push_str("data.");
    }
    s.push_str(t);
    s.push('.');
    s.push_str(n);
    Some(s)
}

/// Legacy `aws_instance.web.1` → `aws_instance.web[1]`.
fn v3_address(key: &str) -> String {
    if let Some((head, last)) = key.rsplit_once('.') {
        if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) && head.contains('.') {
            return format!("{head}[{last}]");
        }
    }
    key.to_string()
}

/// Scans one JSON document from `src`.
pub fn scan_document<R: Read>(
    src: R,
    nest: u8,
    known: Option<&Known>,
    on_read: Option<&(dyn Fn(u64) + Sync)>,
) -> DocScan {
    scan_sized(src, None, nest, known, on_read)
}

/// [`scan_document`] with the input's size, when known, so small files get a small buffer
/// (10,000 small states should not each allocate the full 512 KiB).
pub fn scan_sized<R: Read>(
    src: R,
    size: Option<u64>,
    nest: u8,
    known: Option<&Known>,
    on_read: Option<&(dyn Fn(u64) + Sync)>,
) -> DocScan {
    scan_with(src, size, nest, known, on_read, true)
}

/// [`scan_sized`], optionally without skimming (the token-by-token reference).
fn scan_with<R: Read>(
    src: R,
    size: Option<u64>,
    nest: u8,
    known: Option<&Known>,
    on_read: Option<&(dyn Fn(u64) + Sync)>,
    skim: bool,
) -> DocScan {
    let tz = tokenizer(src, size, nest, known, on_read);
    run_scan(tz, nest, known, skim, None)
}

/// Scans a document already in memory, in place: no buffer to fill, so no copy. Known
/// secrets are looked for by the reading tokenizer's watcher, so with them the bytes are
/// streamed like a file's.
pub fn scan_whole(
    bytes: &[u8],
    nest: u8,
    known: Option<&Known>,
    on_read: Option<&(dyn Fn(u64) + Sync)>,
) -> DocScan {
    if known.is_some() {
        return scan_sized(bytes, Some(bytes.len() as u64), nest, known, on_read);
    }
    let scan = run_scan(Tokenizer::whole(bytes), nest, None, true, None);
    if let Some(f) = on_read {
        f(bytes.len() as u64);
    }
    scan
}

/// [`scan_sized`] for a whole file: when it is large (and no known secrets are looked
/// for, which needs every byte read here), it is mapped and read in place, and a helper
/// thread skims its later part at the same time ([`super::ahead`]).
pub fn scan_file(
    file: &std::fs::File,
    size: u64,
    known: Option<&Known>,
    on_read: Option<&(dyn Fn(u64) + Sync)>,
) -> DocScan {
    scan_file_from(file, size, known, on_read, super::ahead::MIN_SIZE)
}

/// [`scan_file`], mapping files of at least `min_size` bytes.
#[cfg_attr(not(unix), allow(unused_variables))]
fn scan_file_from(
    file: &std::fs::File,
    size: u64,
    known: Option<&Known>,
    on_read: Option<&(dyn Fn(u64) + Sync)>,
    min_size: u64,
) -> DocScan {
    #[cfg(unix)]
    if known.is_none() && size >= min_size {
        if let Some(map) = super::mapped::Mapped::new(file, size) {
            return scan_mapped(&map, on_read);
        }
    }
    scan_sized(file, Some(size), 0, known, on_read)
}

/// Scans a mapped file in place, with a helper skimming ahead ([`super::ahead`]).
#[cfg(unix)]
fn scan_mapped(map: &super::mapped::Mapped, on_read: Option<&(dyn Fn(u64) + Sync)>) -> DocScan {
    super::ahead::with_helper(map, |ahead| {
        let tz = Tokenizer::whole(map.bytes()).ahead(Some(ahead));
        // Pages behind the scanner are released as it goes (keeping what a skim may still
        // re-read), which is also the progress it reports.
        let mut released = 0;
        let mut progress = |at: u64| {
            let upto = at.saturating_sub(super::tokenizer::SKIM_MAX as u64);
            map.release(released, upto);
            if let Some(f) = on_read {
                f(upto - released);
            }
            released = upto;
        };
        let mut scan = run_scan(tz, 0, None, true, Some(&mut progress));
        if let Some(f) = on_read {
            f(map.bytes().len() as u64 - released);
        }
        if map.shrank() {
            // What was read before the cut stands; the rest was zeros, not the file.
            scan.error = Some(ParseError::Shrank);
        }
        scan
    })
}

fn tokenizer<'w, R: Read>(
    src: R,
    size: Option<u64>,
    nest: u8,
    known: Option<&'w Known>,
    on_read: Option<&'w (dyn Fn(u64) + Sync)>,
) -> Tokenizer<'w, R> {
    let default = if nest > 0 {
        64 * 1024
    } else {
        super::tokenizer::BUF_SIZE
    };
    let cap = size.map_or(default, |n| {
        (n as usize).saturating_add(64).clamp(4096, default)
    });
    let mut tz = Tokenizer::with_capacity(src, cap);
    if let Some(k) = known {
        tz = tz.watch(Watcher::new(k.matcher(), k.max_len()));
    }
    if let Some(f) = on_read {
        tz = tz.on_read(f);
    }
    tz
}

/// How often [`run_scan`] reports progress.
const PROGRESS_STEP: u64 = 4 * 1024 * 1024;

/// Scans the tokens of `tz`; `progress` (if any) is called with the offset reached, every
/// [`PROGRESS_STEP`] bytes or so.
fn run_scan<R: Read>(
    mut tz: Tokenizer<'_, R>,
    nest: u8,
    known: Option<&Known>,
    skim: bool,
    mut progress: Option<&mut dyn FnMut(u64)>,
) -> DocScan {
    let mut an = Analyzer::new(nest, known);
    let mut error = None;
    let mut next_progress = PROGRESS_STEP;
    loop {
        if let Some(p) = progress.as_mut() {
            let at = tz.bytes_consumed();
            if at >= next_progress {
                p(at);
                next_progress = at + PROGRESS_STEP;
            }
        }
        match tz.next_with_matches() {
            Ok((tok, matches)) => {
                let kind = tok.kind;
                an.on_token(&tok, matches);
                if let Some(e) = an.error.take() {
                    error = Some(e);
                    break;
                }
                if kind == Kind::End {
                    break;
                }
                let plan = match kind {
                    _ if !skim => None,
                    Kind::StartObject | Kind::StartArray => an.skim_plan(),
                    _ => None,
                };
                if let Some(needles) = plan {
                    match tz.skip_containers(needles) {
                        Ok(0) => {}
                        Ok(n) => {
                            an.on_end();
                            an.skip_siblings(n - 1);
                        }
                        Err(e) => {
                            error = Some(e);
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    if error.is_some() {
        an.flush();
        // Known secrets after the error point are still leaks.
        if known.is_some() && tz.drain().is_ok() {
            if let (Some(k), Some(m)) = (known, tz.pending_matches()) {
                for (_, _, pid) in m.drain(..) {
                    an.drafts.push(Draft {
                        rule: RuleId::KnownSecret,
                        pointer: String::new(),
                        inner_pointer: None,
                        line: 0,
                        column: 0,
                        masked: k.masked(pid),
                        address: None,
                        index: None,
                        need_tfdata: false,
                    });
                }
            }
        }
    }
    an.finish();
    DocScan {
        kind: an.top.classify(),
        looks_terraform: an.top.looks_terraform(),
        drafts: an.drafts,
        bytes: tz.bytes_consumed(),
        error,
    }
}

/// Everything a scan reports, to compare skimming with the token-by-token reference.
fn summary(r: &DocScan) -> String {
    let mut out = format!(
        "{:?} {} bytes={} error={:?}\n",
        r.kind,
        r.looks_terraform,
        r.bytes,
        r.error.as_ref().map(|e| e.to_string())
    );
    for d in &r.drafts {
        out.push_str(&format!(
            "{:?} {} {:?} {}:{} {} {:?}\n",
            d.rule, d.pointer, d.inner_pointer, d.line, d.column, d.masked, d.address
        ));
    }
    out
}

/// [`summary`] of a streamed scan with skimming, of an in-place scan and of the
/// token-by-token reference.
pub(crate) fn every_way(data: &[u8]) -> [String; 3] {
    [
        summary(&scan_with(data, None, 0, None, None, true)),
        summary(&scan_whole(data, 0, None, None)),
        summary(&scan_with(data, None, 0, None, None, false)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scan(doc: &str) -> DocScan {
        scan_document(doc.as_bytes(), 0, None, None)
    }

    #[test]
    fn ordering_of_resource_fields_does_not_matter() {
        // instances before type/name, index_key after attributes.
        let doc = r#"{"resources":[{"instances":[{"attributes":{"client_secret":"FAKEsecret0123456789"},"index_key":"a"}],"name":"n","type":"t","module":"module.m","mode":"data"}],"version":4,"lineage":"x"}"#;
        let r = scan(doc);
        assert!(r.error.is_none());
        assert_eq!(r.kind, DocKind::StateV4);
        assert_eq!(r.drafts.len(), 1);
        assert_eq!(
            r.drafts[0].address.as_deref(),
            Some("module.m.data.t.n[\"a\"]")
        );
    }

    #[test]
    fn sensitive_variables_declared_after_values() {
        let doc = r#"{"format_version":"1.2","variables":{"tok":{"value":"FAKEtoken0123456"},"pub":{"value":"publicvalue123"}},"configuration":{"root_module":{"variables":{"tok":{"sensitive":true},"pub":{}}}}}"#;
        let r = scan(doc);
        assert_eq!(r.drafts.len(), 1);
        assert_eq!(r.drafts[0].rule, RuleId::SensitiveVariable);
        assert_eq!(r.drafts[0].address.as_deref(), Some("var.tok"));
    }

    #[test]
    fn bare_scalars_as_documents() {
        // Found by proptest: a bare string as the whole document used to panic.
        for doc in [
            "\"abc\"",
            "1",
            "null",
            "[\"x\", {\"client_secret\": \"FAKEsecret0123456\"}]",
        ] {
            let r = scan(doc);
            assert!(r.error.is_none(), "{doc}");
            assert_eq!(r.kind, DocKind::Unknown);
        }
    }

    #[test]
    fn a_second_type_in_a_resource_is_an_error_both_ways() {
        // Found by review: skimming decided on the first `type` (not terraform_data) and
        // skipped `attributes`; the token-by-token path took the last one and reported.
        let doc = r#"{"version":4,"resources":[{"mode":"managed","type":"null_resource","name":"r","instances":[{"attributes":{"input":{"value":"hunter2hunter2","type":"string"}},"sensitive_attributes":[[{"type":"get_attr","value":"input"}]]}],"type":"terraform_data"}]}"#;
        for skim in [true, false] {
            let r = scan_with(doc.as_bytes(), None, 0, None, None, skim);
            assert!(
                matches!(r.error, Some(ParseError::DuplicateType { .. })),
                "{:?}",
                r.error
            );
        }
        same_with_and_without_skim(doc.as_bytes(), None).unwrap();
    }

    #[test]
    fn markers_are_not_values() {
        let doc = r#"{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"after":{"x":"y"},"after_sensitive":{"client_secret":true},"after_unknown":{"client_secret":"FAKEnotreally0123"}}}]}"#;
        assert!(scan(doc).drafts.is_empty());
    }

    fn same_with_and_without_skim(data: &[u8], cap: Option<u64>) -> Result<(), TestCaseError> {
        let fast = scan_with(data, cap, 0, None, None, true);
        let slow = scan_with(data, cap, 0, None, None, false);
        prop_assert_eq!(summary(&fast), summary(&slow));
        prop_assert_eq!(summary(&scan_whole(data, 0, None, None)), summary(&slow));
        // And through a file with a helper skimming ahead, whatever its size.
        let mut f = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut f, data).unwrap();
        std::io::Seek::rewind(&mut f).unwrap();
        let helped = scan_file_from(&f, data.len() as u64, None, None, 0);
        prop_assert_eq!(summary(&helped), summary(&slow));
        Ok(())
    }

    /// A Terraform document in a string (`local_file.content`) is decoded and gets every
    /// rule, also when it holds no secret word shaped like a key (review of the needle
    /// narrowing: these four were found before it and missed after).
    #[test]
    fn documents_embedded_in_strings_get_every_rule() {
        let backend = r#"{"version":3,"backend":{"type":"s3","config":{"secret_key":"wJalrXUtnFEMIK7MDENGbPxRfiCY","bucket":"b"}}}"#;
        let output = r#"{"version":4,"outputs":{"db":{"value":"hunter2hunter2xyz","type":"string","sensitive":true}},"resources":[],"description":"rotate the secret monthly"}"#;
        let tfdata = r#"{"version":4,"outputs":{},"resources":[{"mode":"managed","type":"terraform_data","name":"d","instances":[{"attributes":{"input":{"value":"hunter2hunter2xyz","type":"string"},"output":{"value":"hunter2hunter2xyz","type":"string"}},"sensitive_attributes":[[{"type":"get_attr","value":"input"}]]}]}]}"#;
        let variable = r#"{"format_version":"1.2","variables":{"pw":{"value":"hunter2hunter2xyz"}},"configuration":{"root_module":{"variables":{"pw":{"sensitive":true}}}}}"#;
        for (inner, rule) in [
            (backend, RuleId::BackendCredential),
            (output, RuleId::SensitiveOutput),
            (tfdata, RuleId::TerraformDataSensitive),
            (variable, RuleId::SensitiveVariable),
        ] {
            for inner in [inner.to_string(), pretty(inner)] {
                let content = serde_json::to_string(&inner).unwrap();
                let doc = format!(
                    r#"{{"version":4,"outputs":{{}},"resources":[{{"mode":"managed","type":"local_file","name":"f","instances":[{{"attributes":{{"content":{content},"id":"1"}},"sensitive_attributes":[]}}]}}]}}"#
                );
                let rules: Vec<RuleId> = scan(&doc).drafts.iter().map(|d| d.rule).collect();
                assert!(rules.contains(&rule), "{inner}: {rules:?}");
                same_with_and_without_skim(doc.as_bytes(), None).unwrap();
            }
        }
    }

    fn pretty(json: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        serde_json::to_string_pretty(&v).unwrap()
    }

    fn fixture_files() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["tests/fixtures/audit/hand", "tests/fixtures/audit/tf"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.is_file() {
                    files.push(p);
                }
            }
        }
        assert!(files.len() > 20);
        files
    }

    #[test]
    fn skimming_changes_nothing_on_the_fixtures() {
        let mut states = fixture_files();
        let realworld = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/realworld-states");
        if let Ok(rd) = std::fs::read_dir(realworld) {
            states.extend(rd.map(|e| e.unwrap().path()));
        }
        for p in states {
            let data = std::fs::read(&p).unwrap();
            // Small buffers too, so skims cross refills.
            for cap in [None, Some(64)] {
                same_with_and_without_skim(&data, cap)
                    .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            }
        }
    }

    /// State-like documents with secret-ish, sensitive and escaped keys in random places.
    fn state_doc() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("client_secret"),
            Just("clientSecret"),
            Just("secret"),
            Just("authorizedGrantType"),
            Just("access_token"),
            Just("name"),
            Just("id"),
            Just("value"),
            Just("type"),
            Just("input"),
            Just("output"),
            Just("tags"),
            Just("after_unknown"),
            Just("policy"),
            Just("client\\u005fsecret"),
            Just("cli\\u0065nt_s\\u0065cret"),
            Just("description"),
        ];
        let scalar = prop_oneof![
            Just("\"FAKEsecretValue0123456789\"".to_string()),
            Just("\"{\\\"client_secret\\\":\\\"FAKEinner0123456789\\\"}\"".to_string()),
            Just("\"CLIENT_SECRET=FAKEdotenv0123456789\"".to_string()),
            Just("\"\"".to_string()),
            Just("null".to_string()),
            Just("12".to_string()),
            Just("true".to_string()),
            Just("\"plain text value\"".to_string()),
        ];
        let leaf = scalar.boxed();
        let value = leaf.prop_recursive(4, 24, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(",\n"))),
                proptest::collection::vec((key.clone(), inner), 0..4).prop_map(|v| {
                    let members: Vec<String> =
                        v.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
                    format!("{{\n  {}\n}}", members.join(",\n  "))
                }),
            ]
        });
        let rtype = prop_oneof![
            Just("terraform_data"),
            Just("aws_instance"),
            Just("genesyscloud_oauth_client")
        ];
        let marks = prop_oneof![
            Just("[]"),
            Just(r#"[[{"type":"get_attr","value":"input"}]]"#),
            Just(r#"[[{"type":"get_attr","value":"client_secret"}]]"#),
        ];
        proptest::collection::vec((rtype, value.clone(), marks), 1..4).prop_map(|rs| {
            let resources: Vec<String> = rs
                .iter()
                .enumerate()
                .map(|(i, (t, attrs, marks))| {
                    format!(
                        r#"{{"mode": "managed", "type": "{t}", "name": "r{i}", "instances": [{{"attributes": {{"input": {attrs}, "output": {attrs}, "x": {attrs}}}, "sensitive_attributes": {marks}}}]}}"#
                    )
                })
                .collect();
            format!(
                "{{\"version\": 4, \"outputs\": {{}}, \"resources\": [\n{}\n]}}",
                resources.join(",\n")
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

        #[test]
        fn skimming_changes_nothing_on_generated_states(doc in state_doc(), cap in prop_oneof![Just(None), Just(Some(64u64))]) {
            same_with_and_without_skim(doc.as_bytes(), cap)?;
        }

        #[test]
        fn skimming_changes_nothing_on_damaged_documents(pick in 0usize..64, pos in any::<usize>(), byte in any::<u8>(), cut in any::<bool>()) {
            let files = fixture_files();
            let mut data = std::fs::read(&files[pick % files.len()]).unwrap();
            if !data.is_empty() {
                let p = pos % data.len();
                if cut { data.truncate(p) } else { data[p] = byte }
            }
            same_with_and_without_skim(&data, Some(64))?;
        }

        #[test]
        fn never_panics_on_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = scan_document(&data[..], 0, None, None);
        }

        #[test]
        fn never_panics_on_mutated_valid_json(pos in 0usize..4096, byte in any::<u8>(), cut in 0usize..4096, insert in any::<bool>()) {
            let base = include_str!("../../tests/fixtures/audit/tf/leaky-plan.json").as_bytes().to_vec();
            let mut data = base.clone();
            let p = pos % data.len();
            if insert { data.insert(p, byte) } else { data[p] = byte }
            let _ = scan_document(&data[..], 0, None, None);
            let c = cut % base.len();
            let r = scan_document(&base[..c], 0, None, None);
            prop_assert!(r.error.is_some(), "a truncated document is never clean");
        }
    }
}
