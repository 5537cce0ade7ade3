//! PostgreSQL types the `postgres` crate has no Rust type for, kept small.

use std::error::Error;
use std::fmt;
use std::net::IpAddr;

use bytes::{BufMut, BytesMut};
use postgres_types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

type BoxError = Box<dyn Error + Sync + Send>;

/// PostgreSQL's `interval`: months, days and microseconds are separate because a
/// month has no fixed length (`1 month` is not `30 days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Interval {
    /// Whole months.
    pub months: i32,
    /// Whole days.
    pub days: i32,
    /// The rest, in microseconds.
    pub microseconds: i64,
}

impl Interval {
    /// An interval of whole seconds.
    pub const fn from_secs(secs: i64) -> Self {
        Interval {
            months: 0,
            days: 0,
            microseconds: secs * 1_000_000,
        }
    }
}

impl fmt::Display for Interval {
    /// ISO 8601 duration form, which PostgreSQL also parses (`P1M2DT3.5S`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.microseconds as f64 / 1e6;
        write!(f, "P{}M{}DT{}S", self.months, self.days, secs)
    }
}

impl<'a> FromSql<'a> for Interval {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        if raw.len() != 16 {
            return Err(format!("interval: expected 16 bytes, got {}", raw.len()).into());
        }
        let microseconds = i64::from_be_bytes(raw[0..8].try_into()?);
        let days = i32::from_be_bytes(raw[8..12].try_into()?);
        let months = i32::from_be_bytes(raw[12..16].try_into()?);
        Ok(Interval {
            months,
            days,
            microseconds,
        })
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }
}

impl ToSql for Interval {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        out.put_i64(self.microseconds);
        out.put_i32(self.days);
        out.put_i32(self.months);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }

    to_sql_checked!();
}

/// PostgreSQL's `cidr`: a network address and its prefix length.
///
/// Ours rather than postgres-types' `with-cidr-0_2` (the `cidr` crate): the
/// binary format is eight lines, a generated `Row` field of this type needs no
/// dependency in the app, and the server checks the value (host bits) on the
/// way in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Cidr {
    /// The network address.
    pub addr: IpAddr,
    /// The prefix length in bits.
    pub prefix: u8,
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

// Binary layout shared by inet and cidr: family, bits, is_cidr, length, address.
const PGSQL_AF_INET: u8 = 2;
const PGSQL_AF_INET6: u8 = 3;

impl<'a> FromSql<'a> for Cidr {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        if raw.len() < 4 {
            return Err("cidr: value too short".into());
        }
        let (family, prefix, len) = (raw[0], raw[1], raw[3] as usize);
        let bytes = raw.get(4..4 + len).ok_or("cidr: truncated address")?;
        let addr = match (family, len) {
            (PGSQL_AF_INET, 4) => IpAddr::from(<[u8; 4]>::try_from(bytes)?),
            (PGSQL_AF_INET6, 16) => IpAddr::from(<[u8; 16]>::try_from(bytes)?),
            _ => return Err(format!("cidr: unknown family {family}").into()),
        };
        Ok(Cidr { addr, prefix })
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::CIDR
    }
}

impl ToSql for Cidr {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.addr {
            IpAddr::V4(a) => {
                out.put_slice(&[PGSQL_AF_INET, self.prefix, 1, 4]);
                out.put_slice(&a.octets());
            }
            IpAddr::V6(a) => {
                out.put_slice(&[PGSQL_AF_INET6, self.prefix, 1, 16]);
                out.put_slice(&a.octets());
            }
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::CIDR
    }

    to_sql_checked!();
}
