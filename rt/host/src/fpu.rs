//! The float mode of a core thread: the Epiphany FPU's binary32 has no subnormal numbers
//! (`shared/spec/epiphany-platform.md` §2.4: denormal inputs are flushed to signed zero, and so
//! is a denormal result), so host virtual cores compute the same way. It makes a program give
//! the same floats on `-h` as on `-d`, and it matters for speed: an x86 core takes a microcode
//! assist of ~100 cycles for every subnormal operand or result, which a relaxation such as
//! listing 5 produces by the thousand while its wave front crosses the grid (2.5x slower).
//!
//! Set once per core thread before it runs the program (compiled code and the byte-code
//! interpreter alike); other threads of the process keep IEEE defaults.

/// Flush subnormal inputs and results of float arithmetic to signed zero on this thread.
pub fn flush_subnormals() {
    imp::flush_subnormals();
}

#[cfg(target_arch = "x86_64")]
mod imp {
    /// MXCSR.FTZ (bit 15): subnormal results become zero; MXCSR.DAZ (bit 6): subnormal
    /// operands are read as zero.
    const FTZ_DAZ: u32 = (1 << 15) | (1 << 6);

    pub fn flush_subnormals() {
        let mut csr: u32 = 0;
        // SAFETY: stmxcsr/ldmxcsr only read and write this thread's SSE control register; the
        // value written differs from the current one only in the FTZ and DAZ bits, which every
        // x86-64 CPU supports.
        unsafe {
            std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack));
            csr |= FTZ_DAZ;
            std::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack));
        }
    }
}

#[cfg(target_arch = "aarch64")]
mod imp {
    /// FPCR.FZ (bit 24): subnormal operands and results are flushed to zero.
    const FZ: u64 = 1 << 24;

    pub fn flush_subnormals() {
        // SAFETY: reads and writes only this thread's FP control register, changing FZ.
        unsafe {
            let mut fpcr: u64;
            std::arch::asm!("mrs {}, fpcr", out(reg) fpcr, options(nomem, nostack));
            fpcr |= FZ;
            std::arch::asm!("msr fpcr, {}", in(reg) fpcr, options(nomem, nostack));
        }
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod imp {
    /// Other hosts keep their IEEE default (subnormals kept); only their results for floats
    /// below 2**-126 can differ from the device's.
    pub fn flush_subnormals() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Halves 1.0 until it reaches zero: 127 steps without subnormals (2**-126 is the
    /// smallest normal float), 150 with them.
    fn halvings() -> u32 {
        let mut x = std::hint::black_box(1.0f32);
        let mut n = 0;
        while x > 0.0 {
            x = std::hint::black_box(x / 2.0);
            n += 1;
        }
        n
    }

    #[test]
    fn a_core_thread_has_no_subnormals_and_other_threads_keep_them() {
        let core = std::thread::spawn(|| {
            flush_subnormals();
            halvings()
        })
        .join()
        .unwrap();
        if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
            assert_eq!(core, 127);
        }
        assert_eq!(std::thread::spawn(halvings).join().unwrap(), 150);
    }
}
