//! Every function of the runtime contract is implemented, under its symbol, with the contract's
//! parameter and return kinds.
use epyc_rt_abi::RtFn;
use std::collections::HashMap;

#[test]
fn every_runtime_function_is_present_with_its_signature() {
    let entries = epyc_rt_host::symbol_entries();
    let by_symbol: HashMap<&str, &epyc_rt_host::Entry> =
        entries.iter().map(|e| (e.symbol, e)).collect();
    assert_eq!(by_symbol.len(), entries.len(), "duplicate symbols");
    for f in RtFn::ALL {
        let e = by_symbol
            .get(f.symbol())
            .unwrap_or_else(|| panic!("{} ({f:?}) is not implemented", f.symbol()));
        assert_eq!(e.params, f.params(), "parameters of {}", f.symbol());
        assert_eq!(e.ret, f.ret(), "return of {}", f.symbol());
        assert!(!e.address.is_null());
    }
    assert_eq!(
        entries.len(),
        RtFn::ALL.len(),
        "symbols outside the contract"
    );
    let symbols = epyc_rt_host::symbols();
    assert_eq!(symbols.len(), RtFn::ALL.len());
}
