//! Pages of licenses.

crate::route_table! { ROUTES, routes;
}
