//! JSON API of customers and rebranding: the list, the Add Customer wizard in one call, a
//! customer, its edit, deleting several with the confirmation's counts, and the rebrand
//! information of an account with its logo.

use crate::areas::accounts::AccountId;
use crate::areas::customers;
use crate::areas::customers::brand::{Brand, BrandFields, BrandInput};
use crate::areas::customers::{
    BrandView, Customer, CustomerDeletion, CustomerDetail, CustomerFilter, CustomerIds,
    CustomerUpdate, DeleteCustomers, NewCustomer,
};
use crate::kernel::access::Need;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorBody as E;
use crate::kernel::http::ApiId;
use crate::kernel::http::ApiJson;
use crate::kernel::http::ApiJsonUpload;
use crate::kernel::http::ApiQuery;
use crate::kernel::http::Auth;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::state::AppState;
use axum::{extract::State, http::StatusCode, Json};

crate::route_table! { ROUTES, routes;
    get "/customers" => list_customers, A::SignedIn;
    post "/customers" => create_customer, A::SignedIn;
    post "/customers/deletion" => customers_deletion, A::SignedIn;
    post "/customers/delete" => delete_customers, A::SignedIn;
    get "/customers/{id}" => get_customer, A::On(&crate::areas::customers::CUSTOMER, Need::Read);
    patch "/customers/{id}" => update_customer, A::On(&crate::areas::customers::CUSTOMER, Need::Write);
    get "/brands/{id}" => get_brand, A::On(&crate::areas::customers::BRAND, Need::Read);
    put "/brands/{id}" => put_brand, A::On(&crate::areas::customers::BRAND, Need::Write);
    delete "/brands/{id}" => delete_brand, A::On(&crate::areas::customers::BRAND, Need::Write);
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_customers,
    create_customer,
    customers_deletion,
    delete_customers,
    get_customer,
    update_customer,
    get_brand,
    put_brand,
    delete_brand
))]
pub struct Doc;

#[utoipa::path(get, path = "/customers", tag = "customers", operation_id = "listCustomers",
    summary = "The customers directly under the account in view (the operator: its direct customers), or under `under`, an account below it (a partner's customers from its row): search, sort, pages",
    params(CustomerFilter),
    responses(
        (status = 200, description = "Page of customers", body = Page<Customer>),
        (status = 403, description = "The account in view is a customer (`forbidden`)", body = E),
        (status = 404, description = "`under` is outside your reach (`not_found`)", body = E),
        (status = 422, description = "A query value outside what is documented, or `under` a customer (`validation_failed`, with `field`)", body = E),
    ))]
async fn list_customers(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiQuery(f): ApiQuery<CustomerFilter>,
) -> AppResult<Json<Page<Customer>>> {
    Ok(Json(customers::list(&state, &who, &f).await?.1))
}

#[utoipa::path(post, path = "/customers", tag = "customers", operation_id = "createCustomer",
    summary = "Add a customer (members and up): the Add Customer wizard in one call, step 1 (name, email) and optionally step 2 (`brand`), in one transaction",
    description = "The customer goes under `under` (default: the account in view), which is fixed like the wizard's partner. The name is at most 50 characters counted as a person counts them (an accented letter or an emoji is one). With `brand`, its errors name `brand.<field>`; a logo goes in `brand.logo.data` as base64 (PNG, JPEG or SVG without scripts, at most 512 KiB). Nothing is written when any field is refused.",
    request_body = NewCustomer,
    responses(
        (status = 201, description = "Added", body = CustomerDetail),
        (status = 403, description = "A viewer, or the account in view is a customer (`forbidden`)", body = E),
        (status = 404, description = "`under` is outside your reach (`not_found`)", body = E),
        (status = 409, description = "The account it goes under is inactive (`parent_inactive`), or its package allows no more customers (`limit_reached`)", body = E),
        (status = 413, description = "A body over the upload limit (`payload_too_large`)", body = E),
        (status = 422, description = "A name empty or over 50 characters, an empty or malformed email, `under` a customer (`validation_failed`, with `field` and `fields`); a colour that is not `#rgb`/`#rrggbb` (`color_invalid`), a logo over 512 KiB (`logo_too_large`), not PNG, JPEG or SVG (`logo_type_refused`), an SVG with scripts or outside references (`logo_unsafe`), field `brand.<field>`", body = E),
    ))]
async fn create_customer(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJsonUpload(body): ApiJsonUpload<NewCustomer>,
) -> AppResult<(StatusCode, Json<CustomerDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(customers::create_from_api(&state, &who, &body).await?),
    ))
}

#[utoipa::path(post, path = "/customers/deletion", tag = "customers", operation_id = "customersDeletion",
    summary = "What deleting the selected customers would remove (admins and owners): every count by name (customers, logins, and what goes with them), and the confirmation in words",
    request_body = CustomerIds,
    responses(
        (status = 200, description = "The counts", body = CustomerDeletion),
        (status = 403, description = "Not an owner or admin (`forbidden`)", body = E),
        (status = 404, description = "An id that is not a customer in your reach: nothing is counted (`not_found`)", body = E),
        (status = 422, description = "No ids, or more than 500 (`validation_failed`, field `ids`)", body = E),
    ))]
async fn customers_deletion(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<CustomerIds>,
) -> AppResult<Json<CustomerDeletion>> {
    Ok(Json(
        customers::deletion_preview(&state, &who, &body.ids)
            .await?
            .0,
    ))
}

#[utoipa::path(post, path = "/customers/delete", tag = "customers", operation_id = "deleteCustomers",
    summary = "Delete the selected customers (admins and owners) with their logins and everything that goes with them, in one transaction, audited",
    description = "`confirm` must be the number of customers the confirmation named (see `POST /customers/deletion`); the counts are taken again under the lock and answered.",
    request_body = DeleteCustomers,
    responses(
        (status = 200, description = "Deleted: what went", body = CustomerDeletion),
        (status = 403, description = "Not an owner or admin (`forbidden`)", body = E),
        (status = 404, description = "An id that is not a customer in your reach: nothing is deleted (`not_found`)", body = E),
        (status = 422, description = "`confirm` missing or not the number of customers (`confirmation_required`, field `confirm`, the message naming the counts); no ids or more than 500 (`validation_failed`, field `ids`)", body = E),
    ))]
async fn delete_customers(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiJson(body): ApiJson<DeleteCustomers>,
) -> AppResult<Json<CustomerDeletion>> {
    Ok(Json(customers::delete(&state, &who, &body).await?))
}

#[utoipa::path(get, path = "/customers/{id}", tag = "customers", operation_id = "getCustomer",
    summary = "A customer with its own rebrand information",
    params(("id" = i64, Path, description = "A customer's account id")),
    responses(
        (status = 200, description = "The customer", body = CustomerDetail),
        (status = 403, description = "The customer's own login: the account above manages it (`forbidden`)", body = E),
        (status = 404, description = "No such customer, or one outside your reach (`not_found`)", body = E),
    ))]
async fn get_customer(
    State(state): State<AppState>,
    Auth(_who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<CustomerDetail>> {
    Ok(Json(customers::detail(&state, id).await?))
}

#[utoipa::path(patch, path = "/customers/{id}", tag = "customers", operation_id = "updateCustomer",
    summary = "Edit a customer's name and email (members and up); fields left out stay",
    params(("id" = i64, Path, description = "A customer's account id")),
    request_body = CustomerUpdate,
    responses(
        (status = 200, description = "Saved", body = CustomerDetail),
        (status = 403, description = "A viewer, or the customer's own login (`forbidden`)", body = E),
        (status = 404, description = "No such customer, or one outside your reach (`not_found`)", body = E),
        (status = 422, description = "A name empty or over 50 characters, an empty or malformed email (`validation_failed`, with `field`)", body = E),
    ))]
async fn update_customer(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJson(body): ApiJson<CustomerUpdate>,
) -> AppResult<Json<CustomerDetail>> {
    Ok(Json(customers::update(&state, &who, id, &body).await?))
}

#[utoipa::path(get, path = "/brands/{id}", tag = "customers", operation_id = "getBrand",
    summary = "The rebrand information of an account (the operator, a partner, a reseller or a customer), and the brand its logins see",
    params(("id" = i64, Path, description = "An account id")),
    responses(
        (status = 200, description = "The account's brand and the one its logins see", body = BrandView),
        (status = 404, description = "No such account, a dealer, or one outside your reach (`not_found`)", body = E),
    ))]
async fn get_brand(
    State(state): State<AppState>,
    Auth(_who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<Json<BrandView>> {
    Ok(Json(customers::brand_view(&state, id).await?))
}

#[utoipa::path(put, path = "/brands/{id}", tag = "customers", operation_id = "putBrand",
    summary = "Set the rebrand information of an account (members and up): display name, logo, colours, support email, phone and link, footer",
    description = "Empty texts mean none. The logo goes in `logo.data` as base64: PNG, JPEG or SVG, at most 512 KiB, its type read from the bytes; an SVG with scripts, event handlers or outside references is refused. Left out, the logo there is stays (`remove_logo: true` drops it).",
    params(("id" = i64, Path, description = "An account id")),
    request_body = BrandInput,
    responses(
        (status = 200, description = "Saved", body = Brand),
        (status = 403, description = "A viewer (`forbidden`)", body = E),
        (status = 404, description = "No such account, a dealer, or one outside your reach (`not_found`)", body = E),
        (status = 413, description = "A body over the upload limit (`payload_too_large`)", body = E),
        (status = 422, description = "No display name or one over 60 characters, a malformed support email, phone or link, a footer over 300 characters (`validation_failed`, with `field`); a colour that is not `#rgb`/`#rrggbb` (`color_invalid`); a logo over 512 KiB (`logo_too_large`), not PNG, JPEG or SVG (`logo_type_refused`), an SVG with scripts or outside references (`logo_unsafe`), field `logo`", body = E),
    ))]
async fn put_brand(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
    ApiJsonUpload(body): ApiJsonUpload<BrandInput>,
) -> AppResult<Json<Brand>> {
    let fields = BrandFields::from_input(&body)?;
    Ok(Json(customers::set_brand(&state, &who, id, &fields).await?))
}

#[utoipa::path(delete, path = "/brands/{id}", tag = "customers", operation_id = "deleteBrand",
    summary = "Remove an account's rebrand information (members and up): its logins see the brand of the nearest account above again",
    params(("id" = i64, Path, description = "An account id")),
    responses(
        (status = 204, description = "Removed (or there was none)"),
        (status = 403, description = "A viewer (`forbidden`)", body = E),
        (status = 404, description = "No such account, a dealer, or one outside your reach (`not_found`)", body = E),
    ))]
async fn delete_brand(
    State(state): State<AppState>,
    Auth(who): Auth,
    ApiId(id): ApiId<AccountId>,
) -> AppResult<StatusCode> {
    customers::remove_brand(&state, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
