//! Listing 5 of the paper (examples/gauss_seidel.py, Gauss-Seidel with halo swaps by
//! `sendrecv`) interpreted on 16 simulated cores, and the services it needs compared with the
//! host interpreter.

mod interp_support;
use interp_support::{compile, lines_of, on_device_for, same_on_both};

fn repo_file(rel: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn listing5_gauss_seidel_on_16_cores() {
    let (module, files) = compile("gauss_seidel", &repo_file("examples/gauss_seidel.py"));
    let r = on_device_for(&module, files, 16, 8_000_000_000);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(
        lines_of(&r.stdout, 0),
        ["Completed in 1254 iterations, RNorm=0.001000"]
    );
    let most = r.cycles.iter().flatten().max().copied().unwrap_or(0);
    eprintln!("listing 5 interpreted on 16 cores: {most} cycles");
}

#[test]
fn sendrecv_swaps_every_kind_between_neighbours() {
    same_on_both(
        "sendrecv",
        "from parallel import *\nme = coreid()\nother = 1 - me\nprint(sendrecv(me + 10, other))\n\
         print(sendrecv(me * 0.5, other))\nprint(sendrecv(me == 0, other))\n",
        2,
    );
}

#[test]
fn math_functions_match_the_host() {
    same_on_both(
        "mathfns",
        "from math import *\nprint(sqrt(2.0))\nprint(pow(3.0, 2))\nprint(pow(2, 0.5))\nprint(sin(1.0))\n\
         print(cos(0.5))\nprint(floor(2.7))\nprint(exp(1.0))\nprint(log(10.0))\n",
        1,
    );
}
