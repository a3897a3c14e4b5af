//! The CPython core inside the run: a core thread of the host runtime that, instead of
//! compiled code, serves the requests CPython sends over the link, calling the runtime's
//! message functions as compiled code would (so it blocks, is woken and takes part in
//! deadlock detection like every other core).

use crate::link::{Link, Shared};
use crate::rt;
use crate::wire::{self, Reader, Value};
use epyc_rt_abi::{layout, Tag};

/// Position passed to the runtime for the CPython core's operations: unknown (its line is in
/// the Python traceback, not in an epyc source file).
const NO_POS: i32 = 0;

/// Serves CPython until it closes the link; then this core ends if CPython ended well, or
/// stays stopped while the supervisor ends the run.
pub fn serve(shared: &Shared) {
    let Some(mut reader) = shared.link.accept(shared) else {
        return after_python(shared);
    };
    loop {
        match wire::read_frame(&mut reader) {
            Ok(Some(body)) => {
                let reply = handle(&body, shared);
                shared.write(&reply);
            }
            Ok(None) | Err(_) => return after_python(shared),
        }
    }
}

/// CPython closed the link: end this core normally only once CPython exited with status 0
/// (or, attached, at once); otherwise the supervisor stops the whole run.
fn after_python(shared: &Shared) {
    if let Link::Attached(_) = shared.link {
        return;
    }
    if shared.wait_python_exit() == 0 {
        return;
    }
    loop {
        std::thread::park();
    }
}

fn error(text: &str) -> Vec<u8> {
    let mut out = vec![wire::REPLY_ERROR];
    Value::Str(text.as_bytes().to_vec()).encode(&mut out);
    out
}

fn ok(v: Value) -> Vec<u8> {
    let mut out = vec![wire::REPLY_OK];
    v.encode(&mut out);
    out
}

/// One request's reply body.
fn handle(body: &[u8], shared: &Shared) -> Vec<u8> {
    match request(body, shared) {
        Ok(v) => ok(v),
        Err(e) => error(&e),
    }
}

fn check_core(id: i32, shared: &Shared, what: &str) -> Result<(), String> {
    let me = shared.python_core as i32;
    if id < 0 || id > me {
        return Err(format!(
            "{what} core {id}: there are cores 0 to {me} (the host program is core {me})"
        ));
    }
    if id == me {
        return Err(format!("{what} core {id}: that is the host program itself"));
    }
    Ok(())
}

fn request(body: &[u8], shared: &Shared) -> Result<Value, String> {
    let rt = rt::get();
    let mut r = Reader::new(body);
    let op = r.u8()?;
    match op {
        wire::OP_SEND => {
            let dest = r.i32()?;
            let v = r.value()?;
            check_core(dest, shared, "send to")?;
            match v {
                Value::List(items) => {
                    // Checked whole before any is sent, so a bad element sends nothing.
                    for item in &items {
                        scalar_or_str(item)?;
                    }
                    if items.iter().any(|item| matches!(item, Value::Str(_))) {
                        items.iter().for_each(|item| send_one(item, dest));
                    } else if !items.is_empty() {
                        // One message per element, as blocking sends; queued at once and
                        // waited for together (the receiver takes them in order, and this
                        // returns once it took the last), so a core off the chip reads the
                        // list without a round trip to CPython per element.
                        for item in &items {
                            let (bits, tag) = scalar(item)?;
                            (rt.send_nb)(bits, tag as i32, dest, NO_POS);
                        }
                        (rt.wait_sent)(dest, NO_POS);
                    }
                }
                v => {
                    scalar_or_str(&v)?;
                    send_one(&v, dest);
                }
            }
            Ok(Value::None)
        }
        wire::OP_RECV => {
            let src = r.i32()?;
            let n = r.i32()?;
            check_core(src, shared, "recv from")?;
            if n < 0 {
                Ok(recv_one(src, shared.msg_tag))
            } else {
                Ok(Value::List(
                    (0..n).map(|_| recv_one(src, shared.msg_tag)).collect(),
                ))
            }
        }
        wire::OP_SENDRECV => {
            let partner = r.i32()?;
            let (bits, tag) = scalar(&r.value()?)?;
            check_core(partner, shared, "sendrecv with")?;
            let expected = shared.msg_tag;
            let got = (rt.sendrecv)(bits, tag as i32, partner, expected as i32, NO_POS);
            Ok(from_bits(got, expected))
        }
        wire::OP_BCAST => {
            let root = r.i32()?;
            let (bits, tag) = scalar(&r.value()?)?;
            if root < 0 || root > shared.python_core as i32 {
                return Err(format!("bcast from core {root}: there is no such core"));
            }
            let got = (rt.bcast)(bits, tag as i32, root, tag as i32, NO_POS);
            Ok(from_bits(got, tag))
        }
        wire::OP_REDUCE => {
            let code = r.i32()?;
            let (bits, tag) = scalar(&r.value()?)?;
            if !matches!(tag, Tag::Int | Tag::Float) {
                return Err(format!(
                    "reduce needs an int or a float, not {}",
                    tag.name()
                ));
            }
            Ok(from_bits((rt.reduce)(bits, tag as i32, code, NO_POS), tag))
        }
        wire::OP_SYNC => {
            (rt.sync)(NO_POS);
            Ok(Value::None)
        }
        other => Err(format!("unknown request code {other}")),
    }
}

/// The message word and tag of a scalar value.
fn scalar(v: &Value) -> Result<(i32, Tag), String> {
    Ok(match v {
        Value::None => (0, Tag::None),
        Value::Bool(b) => (*b as i32, Tag::Bool),
        Value::Int(i) => (*i, Tag::Int),
        Value::Float(f) => (f.to_bits() as i32, Tag::Float),
        Value::Str(_) => return Err("a str is not a number".into()),
        Value::List(_) => {
            return Err(
                "a list cannot be one message: send it element by element with send(data, dest, n)"
                    .into(),
            )
        }
    })
}

fn scalar_or_str(v: &Value) -> Result<(), String> {
    match v {
        Value::Str(_) => Ok(()),
        Value::List(_) => Err("lists of lists cannot be sent; send each row".into()),
        v => scalar(v).map(|_| ()),
    }
}

fn send_one(v: &Value, dest: i32) {
    let rt = rt::get();
    match v {
        Value::Str(bytes) => {
            // A string object as the runtime lays it out: length, then the bytes.
            let mut obj = (bytes.len() as u32).to_le_bytes().to_vec();
            obj.extend(bytes);
            // SAFETY: `obj` is a string object (`layout::STR_*`) that lives across the call;
            // the runtime copies the bytes before returning.
            unsafe { (rt.send_str)(obj.as_ptr(), dest, NO_POS) };
        }
        v => {
            let (bits, tag) = scalar(v).expect("checked by the caller");
            (rt.send)(bits, tag as i32, dest, NO_POS);
        }
    }
}

fn recv_one(src: i32, tag: Tag) -> Value {
    let rt = rt::get();
    if tag == Tag::Str {
        let s = (rt.recv_str)(src, NO_POS);
        // SAFETY: the runtime returned a string object of this core's heap.
        let bytes = unsafe {
            let len = (s as *const u32).read() as usize;
            std::slice::from_raw_parts(s.add(layout::STR_BYTES as usize), len).to_vec()
        };
        return Value::Str(bytes);
    }
    from_bits((rt.recv)(src, tag as i32, NO_POS), tag)
}

fn from_bits(bits: i32, tag: Tag) -> Value {
    match tag {
        Tag::None => Value::None,
        Tag::Bool => Value::Bool(bits != 0),
        Tag::Float => Value::Float(f32::from_bits(bits as u32)),
        // Int, and function indices (only meaningful to the cores) travel as ints.
        _ => Value::Int(bits),
    }
}
