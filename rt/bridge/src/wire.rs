//! The frames of the CPython link (see PROTOCOL.md): a little-endian u32 length, then the
//! body. Values are a tag byte followed by their data.

use std::io::{self, Read, Write};

/// Request codes (CPython -> epyc).
pub const OP_SEND: u8 = 1;
pub const OP_RECV: u8 = 2;
pub const OP_SENDRECV: u8 = 3;
pub const OP_BCAST: u8 = 4;
pub const OP_REDUCE: u8 = 5;
pub const OP_SYNC: u8 = 6;

/// Reply codes (epyc -> CPython).
pub const REPLY_OK: u8 = 0;
pub const REPLY_ERROR: u8 = 1;

/// Longest frame accepted: a bad length must not make us allocate gigabytes.
const MAX_FRAME: u32 = 256 << 20;

/// A value on the link; the tags are `epyc_rt_abi::Tag`'s.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i32),
    Float(f32),
    Str(Vec<u8>),
    List(Vec<Value>),
}

impl Value {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::None => out.push(0),
            Value::Bool(b) => out.extend([1, *b as u8]),
            Value::Int(i) => {
                out.push(2);
                out.extend(i.to_le_bytes());
            }
            Value::Float(f) => {
                out.push(3);
                out.extend(f.to_le_bytes());
            }
            Value::Str(s) => {
                out.push(4);
                out.extend((s.len() as u32).to_le_bytes());
                out.extend(s);
            }
            Value::List(items) => {
                out.push(5);
                out.extend((items.len() as u32).to_le_bytes());
                for v in items {
                    v.encode(out);
                }
            }
        }
    }
}

/// Reads the fields of one frame body in order.
pub struct Reader<'a> {
    buf: &'a [u8],
}

fn short() -> String {
    "frame ends early".to_string()
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.buf.len() < n {
            return Err(short());
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }
    pub fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    pub fn i32(&mut self) -> Result<i32, String> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    pub fn value(&mut self) -> Result<Value, String> {
        Ok(match self.u8()? {
            0 => Value::None,
            1 => Value::Bool(self.u8()? != 0),
            2 => Value::Int(self.i32()?),
            3 => Value::Float(f32::from_le_bytes(self.take(4)?.try_into().unwrap())),
            4 => {
                let n = self.u32()? as usize;
                Value::Str(self.take(n)?.to_vec())
            }
            5 => {
                let n = self.u32()? as usize;
                if n > self.buf.len() {
                    return Err(short());
                }
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value()?);
                }
                Value::List(items)
            }
            t => return Err(format!("unknown value tag {t}")),
        })
    }
}

/// One frame's body; None at a clean end of the stream.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len);
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes is too long"),
        ));
    }
    let mut body = vec![0; len as usize];
    r.read_exact(&mut body)?;
    Ok(Some(body))
}

pub fn write_frame(w: &mut impl Write, body: &[u8]) -> io::Result<()> {
    let mut frame = Vec::with_capacity(body.len() + 4);
    frame.extend((body.len() as u32).to_le_bytes());
    frame.extend(body);
    w.write_all(&frame)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let v = Value::List(vec![
            Value::None,
            Value::Bool(true),
            Value::Int(-7),
            Value::Float(2.5),
            Value::Str(b"hi".to_vec()),
        ]);
        let mut buf = Vec::new();
        v.encode(&mut buf);
        assert_eq!(Reader::new(&buf).value(), Ok(v));
    }

    #[test]
    fn bad_frames_are_errors() {
        assert!(Reader::new(&[9]).value().is_err());
        assert!(Reader::new(&[5, 255, 255, 255, 255]).value().is_err());
        let mut huge: &[u8] = &[255, 255, 255, 255];
        assert!(read_frame(&mut huge).is_err());
        let mut empty: &[u8] = &[];
        assert!(read_frame(&mut empty).unwrap().is_none());
    }
}
