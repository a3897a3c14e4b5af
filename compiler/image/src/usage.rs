//! Memory used per region of a core's 32 KB (`epyc build -s`, `epyc run -s`), and the error
//! for a program that does not fit, naming its largest functions and data.

use crate::compile::ProgramCode;
use crate::BuildError;
use epyc_rt_device::link::Image;
use epyc_rt_device::memmap;
use epyc_rt_device::object::{RuntimeObject, Section};
use std::fmt;

/// Bytes per region of local memory (every core holds the same image).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryUsage {
    /// Interrupt vectors and e-hal's configuration words below the code.
    pub reserved: u32,
    pub runtime_code: u32,
    pub program_code: u32,
    pub data: u32,
    pub globals: u32,
    /// Local heap: from the image end to the runtime state.
    pub heap: u32,
    pub runtime_state: u32,
    pub stack: u32,
}

impl MemoryUsage {
    pub fn of(image: &Image, code: &ProgramCode) -> MemoryUsage {
        let program_code = code.code_bytes();
        let data = code.data_bytes();
        let globals = code.globals_size;
        // Everything from CODE_BASE to the image end that is not the program's is the
        // runtime's (its code, data and alignment padding).
        let used = image.end - memmap::CODE_BASE;
        MemoryUsage {
            reserved: memmap::CODE_BASE,
            runtime_code: used.saturating_sub(program_code + data + globals),
            program_code,
            data,
            globals,
            heap: memmap::HEAP_LOCAL_END.saturating_sub(image.end),
            runtime_state: memmap::STATE_END - memmap::STATE_BASE,
            stack: memmap::LOCAL_SIZE - memmap::STACK_LIMIT,
        }
    }

    /// Code of every kind (runtime and program) in the image.
    pub fn code(&self) -> u32 {
        self.runtime_code + self.program_code
    }
}

impl fmt::Display for MemoryUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = memmap::LOCAL_SIZE;
        let rows = [
            ("vectors and e-hal words", self.reserved),
            ("runtime code", self.runtime_code),
            ("program code", self.program_code),
            ("constants", self.data),
            ("globals", self.globals),
            ("local heap (free at start)", self.heap),
            ("runtime state (postboxes)", self.runtime_state),
            ("stack", self.stack),
        ];
        writeln!(f, "local memory per core ({} KB):", total / 1024)?;
        for (name, bytes) in rows {
            writeln!(
                f,
                "  {name:<28} {bytes:>6} bytes  {:>5.1}%",
                bytes as f64 * 100.0 / total as f64
            )?;
        }
        write!(
            f,
            "  image (code, constants, globals) {} of {} bytes",
            self.reserved + self.code() + self.data + self.globals,
            memmap::HEAP_LOCAL_END
        )
    }
}

/// Bytes of the runtime sections a program with `program` sections needs (the linker's own
/// reachability), including alignment; the fixed sections (the IVT) are not counted.
fn runtime_bytes(runtime: &RuntimeObject, program: &[Section]) -> u32 {
    epyc_rt_device::link::reachable(runtime, program)
        .into_iter()
        .filter(|s| s.fixed_address.is_none())
        .filter(|s| runtime.sections.iter().any(|r| std::ptr::eq(r, *s)))
        .map(|s| (s.data.len() as u32).next_multiple_of(s.align.max(2)))
        .sum()
}

/// Err(TooLarge) naming the largest functions and data when the program cannot fit below
/// the runtime state.
pub fn check_fits(runtime: &RuntimeObject, code: &ProgramCode) -> Result<(), BuildError> {
    let runtime_code = runtime_bytes(runtime, &code.sections);
    let program = code.code_bytes() + code.data_bytes();
    let needed = memmap::CODE_BASE + runtime_code + program + code.globals_size;
    // Alignment of each section (at most 16 bytes) is the only slack left.
    let slack = 16 * (code.sections.len() as u32 + 2);
    if needed + slack <= memmap::HEAP_LOCAL_END {
        return Ok(());
    }
    let limit = memmap::HEAP_LOCAL_END - memmap::CODE_BASE;
    let mut text = format!(
        "the program does not fit a core's 32 KB local memory: it needs {} bytes for code, \
         constants and globals, and {limit} bytes are free for them (the rest is the runtime's \
         state and the stack)\n  \
         runtime code {runtime_code} bytes, program code {} bytes, constants {} bytes, \
         globals {} bytes\n",
        needed - memmap::CODE_BASE,
        code.code_bytes(),
        code.data_bytes(),
        code.globals_size
    );
    let mut funcs: Vec<_> = code.functions.iter().collect();
    funcs.sort_by_key(|f| std::cmp::Reverse(f.size));
    text.push_str("  largest functions:\n");
    for f in funcs.iter().take(5) {
        let (_, line) = epyc_rt_abi::pos::decode(f.def_pos as i32);
        text.push_str(&format!(
            "    {:>6} bytes  {} (line {line})\n",
            f.size, f.name
        ));
    }
    let mut data: Vec<_> = code.data.iter().collect();
    data.sort_by_key(|d| std::cmp::Reverse(d.size));
    if !data.is_empty() {
        text.push_str("  largest constants:\n");
        for d in data.iter().take(3) {
            text.push_str(&format!("    {:>6} bytes  {}\n", d.size, d.what));
        }
    }
    text.push_str(
        "  code cannot move out of local memory yet: ePython's `-codeshared` (code in shared \
         memory) and `-datashared` (data in shared memory) are not supported by epyc; split \
         large functions or run on host cores with `-h N`",
    );
    Err(BuildError::TooLarge(text))
}
