//! Geography in lists: `territory=` (INSEE codes), `near=` with `radius_km=`, and `bbox=`.
//!
//! Distances are great-circle kilometres computed by `relais_distance_km` in the database; boxes
//! go through the GiST index on `point(longitude, latitude)`, and a `near` circle is first
//! narrowed to the box around it, so a radius search reads only the rows near the point.

use serde::Deserialize;
use utoipa::IntoParams;

use super::sql::{Bind, Sql};

/// Mean Earth radius, as in `relais_distance_km`.
const EARTH_RADIUS_KM: f64 = 6371.0088;
/// Half the Earth's circumference: no two points are further apart.
pub(super) const MAX_RADIUS_KM: f64 = 20_016.0;

/// `territory=region:76,department:2A`: items of any of these INSEE regions or departments.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "String")]
pub struct Territories {
    regions: Vec<String>,
    departments: Vec<String>,
}

/// The INSEE codes of the regions since 2016 (the `regions` table holds their names; a test
/// checks that both agree).
const REGIONS: [&str; 18] = [
    "01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84",
    "93", "94",
];

/// [`is_region_code`] as the spec's `pattern`.
const REGION_CODE_PATTERN: &str = "^(01|02|03|04|06|11|24|27|28|32|44|52|53|75|76|84|93|94)$";

/// [`is_department_code`] as the spec's `pattern`.
const DEPARTMENT_CODE_PATTERN: &str = "^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-46])$";

/// A latitude and a longitude in degrees, as patterns (a point's or a box's sides).
const LATITUDE: &str = "-?(?:90(?:\\.0+)?|[1-8]?[0-9](?:\\.[0-9]+)?)";
const LONGITUDE: &str = "-?(?:180(?:\\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\\.[0-9]+)?)";

/// `code`'s pattern without its anchors.
fn unanchored(pattern: &str) -> &str {
    pattern.trim_start_matches('^').trim_end_matches('$')
}

/// A text schema of `pattern`.
fn code_schema(
    pattern: &str,
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .description(Some(description))
        .pattern(Some(pattern))
        .into()
}

/// An INSEE region code, as inputs take it.
pub struct RegionCode;

impl utoipa::PartialSchema for RegionCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        code_schema(
            REGION_CODE_PATTERN,
            "An INSEE region code since 2016 (`76`: Occitanie).",
        )
    }
}

impl utoipa::ToSchema for RegionCode {}

/// An INSEE department code, as inputs take it.
pub struct DepartmentCode;

impl utoipa::PartialSchema for DepartmentCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        code_schema(
            DEPARTMENT_CODE_PATTERN,
            "An INSEE department code (`34`, `2A`, `974`).",
        )
    }
}

impl utoipa::ToSchema for DepartmentCode {}

impl utoipa::PartialSchema for Territories {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let one = format!(
            "(?:region:{}|department:{})",
            unanchored(REGION_CODE_PATTERN),
            unanchored(DEPARTMENT_CODE_PATTERN)
        );
        code_schema(
            &format!("^{one}(?:,{one})*$"),
            "INSEE territories, comma-separated (`region:76,department:34`).",
        )
    }
}

impl utoipa::ToSchema for Territories {}

impl utoipa::PartialSchema for Point {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        code_schema(
            &format!("^{LATITUDE},{LONGITUDE}$"),
            "`latitude,longitude` in degrees (`43.6045,1.4440`).",
        )
    }
}

impl utoipa::ToSchema for Point {}

impl utoipa::PartialSchema for BoundingBox {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        code_schema(
            &format!("^{LONGITUDE},{LATITUDE},{LONGITUDE},{LATITUDE}$"),
            "`west,south,east,north` in degrees (`1.0,43.3,2.0,43.9`); west is not east of \
             east, nor south north of north.",
        )
    }
}

impl utoipa::ToSchema for BoundingBox {}

/// Whether `code` is an INSEE region code (`76`).
fn is_region_code(code: &str) -> bool {
    REGIONS.contains(&code)
}

/// Whether `code` is an INSEE department code: `01` to `95` but `20` (Corsica is `2A` and
/// `2B`), and the overseas `971` to `974` and `976`.
fn is_department_code(code: &str) -> bool {
    match code {
        "2A" | "2B" | "971" | "972" | "973" | "974" | "976" => true,
        _ => {
            code.len() == 2
                && code.bytes().all(|b| b.is_ascii_digit())
                && code != "00"
                && code != "20"
                && code <= "95"
        }
    }
}

impl TryFrom<String> for Territories {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let mut territories = Territories {
            regions: Vec::new(),
            departments: Vec::new(),
        };
        for part in text.split(',').map(str::trim) {
            let (level, code) = part.split_once(':').ok_or_else(|| {
                format!(
                    "`{part}`: say `region:CODE` or `department:CODE` (INSEE codes, as `region:76`)"
                )
            })?;
            let code = code.trim().to_ascii_uppercase();
            match level.trim() {
                "region" if is_region_code(&code) => territories.regions.push(code),
                "department" if is_department_code(&code) => territories.departments.push(code),
                "region" => {
                    return Err(format!(
                        "`{code}` is not an INSEE region code (`76`; GET /api/v1/territories lists them)"
                    ));
                }
                "department" => {
                    return Err(format!(
                        "`{code}` is not an INSEE department code (`34`, `2A`, `974`; GET /api/v1/territories lists them)"
                    ));
                }
                other => {
                    return Err(format!(
                        "`{other}` is no territory level; say `region` or `department`"
                    ));
                }
            }
        }
        Ok(territories)
    }
}

/// A point given as `latitude,longitude` (`near=43.6045,1.4440`).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(try_from = "String")]
pub struct Point {
    latitude: f64,
    longitude: f64,
}

fn coordinates<const N: usize>(text: &str, shape: &str) -> Result<[f64; N], String> {
    let numbers: Vec<f64> = text
        .split(',')
        .map(|n| n.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("`{text}` is not {shape}"))?;
    let numbers: [f64; N] = numbers
        .try_into()
        .map_err(|_| format!("`{text}` is not {shape}"))?;
    if numbers.iter().all(|n| n.is_finite()) {
        Ok(numbers)
    } else {
        Err(format!("`{text}` is not {shape}"))
    }
}

fn check_latitude(latitude: f64) -> Result<(), String> {
    if (-90.0..=90.0).contains(&latitude) {
        Ok(())
    } else {
        Err(format!("latitude {latitude} is not between -90 and 90"))
    }
}

fn check_longitude(longitude: f64) -> Result<(), String> {
    if (-180.0..=180.0).contains(&longitude) {
        Ok(())
    } else {
        Err(format!("longitude {longitude} is not between -180 and 180"))
    }
}

impl TryFrom<String> for Point {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let [latitude, longitude] = coordinates(&text, "`latitude,longitude` in degrees")?;
        check_latitude(latitude)?;
        check_longitude(longitude)?;
        Ok(Point {
            latitude,
            longitude,
        })
    }
}

/// `bbox=west,south,east,north` in degrees (longitude and latitude, as in GeoJSON).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(try_from = "String")]
pub struct BoundingBox {
    west: f64,
    south: f64,
    east: f64,
    north: f64,
}

impl TryFrom<String> for BoundingBox {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let [west, south, east, north] = coordinates(&text, "`west,south,east,north` in degrees")?;
        check_longitude(west)?;
        check_longitude(east)?;
        check_latitude(south)?;
        check_latitude(north)?;
        if west > east {
            return Err("the box's west is east of its east (boxes across the 180th meridian are not supported)".into());
        }
        if south > north {
            return Err("the box's south is north of its north".into());
        }
        Ok(BoundingBox {
            west,
            south,
            east,
            north,
        })
    }
}

impl BoundingBox {
    /// The smallest box that holds every point within `radius_km` of `center`.
    fn around(center: Point, radius_km: f64) -> BoundingBox {
        let angle = radius_km / EARTH_RADIUS_KM;
        let delta_latitude = angle.to_degrees();
        let south = center.latitude - delta_latitude;
        let north = center.latitude + delta_latitude;
        if south <= -90.0 || north >= 90.0 {
            // The circle holds a pole: every longitude.
            return BoundingBox {
                west: -180.0,
                south: south.max(-90.0),
                east: 180.0,
                north: north.min(90.0),
            };
        }
        let delta_longitude = (angle.sin() / center.latitude.to_radians().cos())
            .min(1.0)
            .asin()
            .to_degrees();
        let (west, east) = (
            center.longitude - delta_longitude,
            center.longitude + delta_longitude,
        );
        // Across the 180th meridian, every longitude: a larger box, still exact once the
        // distance is checked.
        let (west, east) = if west < -180.0 || east > 180.0 {
            (-180.0, 180.0)
        } else {
            (west, east)
        };
        BoundingBox {
            west,
            south,
            east,
            north,
        }
    }

    pub(super) fn render(&self) -> Sql {
        let mut sql = Sql::from(" AND point(t.longitude, t.latitude) <@ box(point(");
        sql.bind(Bind::Float(self.west))
            .push(", ")
            .bind(Bind::Float(self.south))
            .push("), point(")
            .bind(Bind::Float(self.east))
            .push(", ")
            .bind(Bind::Float(self.north))
            .push("))");
        sql
    }
}

/// Items within `radius_km` of a point (or, without a radius, every item that has
/// coordinates), with their distance.
#[derive(Clone, Copy, Debug)]
pub struct Near {
    pub(super) center: Point,
    pub(super) radius_km: Option<f64>,
}

impl Near {
    /// What orders a list by distance: the point.
    pub(super) fn describe(&self) -> String {
        format!("near={},{}", self.center.latitude, self.center.longitude)
    }

    /// The distance of `t` from the point, in kilometres, as SQL.
    pub(super) fn distance(&self) -> Sql {
        let mut sql = Sql::from("relais_distance_km(");
        sql.bind(Bind::Float(self.center.latitude))
            .push(", ")
            .bind(Bind::Float(self.center.longitude))
            .push(", t.latitude, t.longitude)");
        sql
    }

    pub(super) fn render(&self) -> Sql {
        let Some(radius) = self.radius_km else {
            return Sql::from(" AND t.latitude IS NOT NULL");
        };
        let mut sql = BoundingBox::around(self.center, radius).render();
        sql.push(" AND ")
            .append(&self.distance())
            .push(" <= ")
            .bind(Bind::Float(radius));
        sql
    }
}

/// The geographic filters of the lists of collections that have places (centres, actors,
/// events): parsed once for every list, refused by the others.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GeoFilters {
    /// INSEE territories, comma-separated: `region:76`, `department:34`. A region also
    /// matches the items of its departments.
    #[param(example = "region:76")]
    pub territory: Option<Territories>,
    /// `latitude,longitude` in degrees: only items with coordinates. On a list, each item
    /// carries its `distance_km`, nearest first unless `q` or `sort` orders them.
    #[param(example = "43.6045,1.4440")]
    pub near: Option<Point>,
    /// With `near`: only items within this many kilometres.
    #[param(example = 50)]
    pub radius_km: Option<f64>,
    /// Items inside a box: `west,south,east,north` in degrees (longitudes then latitudes, as
    /// in GeoJSON).
    #[param(example = "1.0,43.3,2.0,43.9")]
    pub bbox: Option<BoundingBox>,
}

/// Their names, taken out of a list's query before its own filters.
pub const GEO_PARAMS: [&str; 4] = ["territory", "near", "radius_km", "bbox"];

impl Territories {
    pub(super) fn render(&self) -> Sql {
        let mut parts = Vec::new();
        for (column, codes) in [
            ("t.region_code = ANY(", &self.regions),
            ("t.department_code = ANY(", &self.departments),
        ] {
            if !codes.is_empty() {
                let mut part = Sql::from(column);
                part.bind(Bind::Texts(codes.clone())).push(")");
                parts.push(part);
            }
        }
        let mut sql = Sql::from(" AND (");
        sql.append(&Sql::join(parts, " OR ")).push(")");
        sql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patterns_take_the_codes_and_no_other() {
        let region = regex::Regex::new(REGION_CODE_PATTERN).expect("a regex");
        let department = regex::Regex::new(DEPARTMENT_CODE_PATTERN).expect("a regex");
        let symbols = "0123456789AB".chars().map(String::from);
        let twos: Vec<String> = symbols
            .clone()
            .flat_map(|a| symbols.clone().map(move |b| format!("{a}{b}")))
            .collect();
        let threes: Vec<String> = twos
            .iter()
            .flat_map(|two| symbols.clone().map(move |c| format!("{two}{c}")))
            .collect();
        for code in twos.iter().chain(&threes) {
            assert_eq!(region.is_match(code), is_region_code(code), "{code}");
            assert_eq!(
                department.is_match(code),
                is_department_code(code),
                "{code}"
            );
        }
    }

    #[test]
    fn box_around_a_point_holds_the_circle() {
        let toulouse = Point {
            latitude: 43.6045,
            longitude: 1.444,
        };
        let b = BoundingBox::around(toulouse, 100.0);
        // 100 km is about 0.9° of latitude, and more degrees of longitude at 43.6°N.
        assert!((b.north - 43.6045 - 0.8993).abs() < 0.001, "{b:?}");
        assert!(b.east - 1.444 > 1.2 && b.east - 1.444 < 1.3, "{b:?}");
        let pole = BoundingBox::around(
            Point {
                latitude: 89.5,
                longitude: 0.0,
            },
            100.0,
        );
        assert_eq!((pole.west, pole.east, pole.north), (-180.0, 180.0, 90.0));
    }

    #[test]
    fn territory_codes_are_checked() {
        assert!(Territories::try_from("region:76,department:2a".to_string()).is_ok());
        assert!(Territories::try_from("76".to_string()).is_err());
        assert!(Territories::try_from("region:2A".to_string()).is_err());
        assert!(Territories::try_from("department:977".to_string()).is_err());
        assert!(Territories::try_from("region:99".to_string()).is_err());
        assert!(Territories::try_from("department:20".to_string()).is_err());
        assert!(Territories::try_from("commune:31555".to_string()).is_err());
    }
}
