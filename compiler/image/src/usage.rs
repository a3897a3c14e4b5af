//! Memory used per region of a core's 32 KB (`epyc build -s`, `epyc run -s`); where the
//! program's code and data go (local memory, or shared DRAM as ePython's `-codeshared` and
//! `-datashared` ask, code automatically when it is larger than a core can hold); and the
//! error for a program that does not fit, naming its largest functions and data and the flags
//! that would move them.

use crate::compile::ProgramCode;
use crate::{BuildError, Placement};
use epyc_rt_device::link::Image;
use epyc_rt_device::memmap;
use epyc_rt_device::object::{RuntimeObject, Section, HEAP_END_SYMBOL};
use std::fmt;

/// Bytes per region of local memory (every core holds the same image), and what is in shared
/// DRAM instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryUsage {
    /// Interrupt vectors and e-hal's configuration words below the code.
    pub reserved: u32,
    /// The runtime's code and data (with the linker's veneers and alignment padding).
    pub runtime_code: u32,
    /// The program's code in local memory.
    pub program_code: u32,
    /// The program's constants in local memory.
    pub data: u32,
    pub globals: u32,
    /// Local heap: from the image end to the runtime state (0 when lists and strings are
    /// allocated in shared DRAM).
    pub heap: u32,
    pub runtime_state: u32,
    pub stack: u32,
    /// The program's code in shared DRAM (`-codeshared`).
    pub shared_code: u32,
    /// The program's constants in shared DRAM (`-datashared`).
    pub shared_data: u32,
}

impl MemoryUsage {
    pub fn of(image: &Image, code: &ProgramCode, placement: Placement) -> MemoryUsage {
        let (program_code, shared_code) = match placement.code_shared {
            false => (code.code_bytes(), 0),
            true => (0, code.code_bytes()),
        };
        let (data, shared_data) = match placement.data_shared {
            false => (code.data_bytes(), 0),
            true => (0, code.data_bytes()),
        };
        let globals = code.globals_size;
        // Everything from CODE_BASE to the image end that is not the program's is the
        // runtime's (its code, data, the veneers and alignment padding).
        let used = image.end - memmap::CODE_BASE;
        let heap_end = image
            .symbols
            .get(HEAP_END_SYMBOL)
            .copied()
            .unwrap_or(memmap::HEAP_LOCAL_END);
        MemoryUsage {
            reserved: memmap::CODE_BASE,
            runtime_code: used.saturating_sub(program_code + data + globals),
            program_code,
            data,
            globals,
            heap: heap_end.saturating_sub(image.end),
            runtime_state: memmap::STATE_END - memmap::STATE_BASE,
            stack: memmap::LOCAL_SIZE - memmap::STACK_LIMIT,
            shared_code,
            shared_data,
        }
    }

    /// Code of every kind (runtime and program) in local memory.
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
        )?;
        if self.shared_code + self.shared_data > 0 {
            write!(
                f,
                "\nshared DRAM (one copy for all cores):\n  program code {:>8} bytes\n  \
                 constants    {:>8} bytes",
                self.shared_code, self.shared_data
            )?;
        }
        Ok(())
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

/// What a program needs of a core's local memory for each placement.
struct Needs {
    runtime_code: u32,
    code: u32,
    data: u32,
    globals: u32,
    /// Alignment of each section (at most 16 bytes) and the veneers of calls between local
    /// and shared code (12 bytes each; the runtime calls only the entry).
    slack: u32,
}

impl Needs {
    fn of(runtime: &RuntimeObject, code: &ProgramCode) -> Needs {
        Needs {
            runtime_code: runtime_bytes(runtime, &code.sections),
            code: code.code_bytes(),
            data: code.data_bytes(),
            globals: code.globals_size,
            slack: 16 * (code.sections.len() as u32 + 2) + 16,
        }
    }

    /// Bytes of local memory from `CODE_BASE` that the image takes with `p`.
    fn local(&self, p: Placement) -> u32 {
        let code = if p.code_shared { 0 } else { self.code };
        let data = if p.data_shared { 0 } else { self.data };
        self.runtime_code + code + data + self.globals
    }

    fn fits(&self, p: Placement) -> bool {
        memmap::CODE_BASE + self.local(p) + self.slack <= memmap::HEAP_LOCAL_END
    }

    /// Bytes of local memory the program's code may take when nothing else of the program
    /// were there (ePython's "byte limit for placement on cores").
    fn code_limit(&self) -> u32 {
        (memmap::HEAP_LOCAL_END - memmap::CODE_BASE).saturating_sub(self.runtime_code + self.slack)
    }
}

/// Where the program's code and data go: as `asked` when that fits a core's local memory.
/// As ePython does, code larger than a core can hold at all goes to shared memory
/// automatically, with a warning. Otherwise a program that does not fit is an error
/// (`TooLarge`) naming its largest functions and constants and the flags that would make it
/// fit.
pub fn place(
    runtime: &RuntimeObject,
    code: &ProgramCode,
    asked: Placement,
) -> Result<(Placement, Vec<String>), BuildError> {
    let needs = Needs::of(runtime, code);
    if needs.fits(asked) {
        return Ok((asked, Vec::new()));
    }
    if !asked.code_shared && needs.code > needs.code_limit() {
        let moved = Placement {
            code_shared: true,
            ..asked
        };
        if needs.fits(moved) {
            let warning = format!(
                "Warning: Your code size of {} bytes exceeds the {} byte limit for placement on \
                 cores so storing in shared memory (every core then fetches each instruction \
                 from shared DRAM, which is far slower)",
                needs.code,
                needs.code_limit()
            );
            return Ok((moved, vec![warning]));
        }
    }
    Err(BuildError::TooLarge(too_large(&needs, code, asked)))
}

/// The error text for a program that does not fit with `asked`.
fn too_large(needs: &Needs, code: &ProgramCode, asked: Placement) -> String {
    let limit = memmap::HEAP_LOCAL_END - memmap::CODE_BASE;
    let mut text = format!(
        "the program does not fit a core's 32 KB local memory: it needs {} bytes for code, \
         constants and globals, and {limit} bytes are free for them (the rest is the runtime's \
         state and the stack)\n  \
         runtime code {} bytes, program code {} bytes{}, constants {} bytes{}, globals {} \
         bytes\n",
        needs.local(asked) + needs.slack,
        needs.runtime_code,
        needs.code,
        if asked.code_shared {
            " (in shared memory)"
        } else {
            ""
        },
        needs.data,
        if asked.data_shared {
            " (in shared memory)"
        } else {
            ""
        },
        needs.globals,
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
    let code_flag = "`-codeshared` (the program's code in shared memory)";
    let data_flag = "`-datashared` (constants, lists and strings in shared memory)";
    let with = |code_shared, data_shared| {
        needs.fits(Placement {
            code_shared: code_shared || asked.code_shared,
            data_shared: data_shared || asked.data_shared,
        })
    };
    let advice = match (
        !asked.code_shared && with(true, false),
        !asked.data_shared && with(false, true),
    ) {
        (true, true) => format!("run with {code_flag} or with {data_flag}"),
        (true, false) => format!("run with {code_flag}"),
        (false, true) => format!("run with {data_flag}"),
        (false, false) if with(true, true) => {
            format!("run with both {code_flag} and {data_flag}")
        }
        (false, false) => format!(
            "even with both `-codeshared` and `-datashared` the runtime and the globals ({} \
             bytes) do not fit: use fewer module-level variables, or run on host cores with \
             `-h N`",
            needs.globals
        ),
    };
    text.push_str(&format!("  to fit: {advice}"));
    text
}
