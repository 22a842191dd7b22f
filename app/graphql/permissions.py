"""Every field that reaches data declares the scope it needs (`scoped(Scope.X)`).

A test walks the schema and fails on a root field, or a field with its own resolver, that
does not declare one. Area scoping is not here: the services every resolver calls start
each query from `visible_to(principal)`, as REST does.
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from app.auth import vendors
from app.auth.scopes import Scope
from app.graphql.context import GraphQLContext


class HasScope(BasePermission):
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.message = f"This needs the {scope} scope."
        self.error_extensions = {"code": "insufficient-scope", "status": 403}

    def has_permission(self, source: Any, info: Info[GraphQLContext, Any], **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and self.scope in principal.scopes


class WithinVendorContract(BasePermission):
    """Vendors resolve only the fields, with the arguments, of their data contract
    (app/auth/vendors.py); every other caller passes."""

    message = "This field is not in the vendors' data contract."
    error_extensions = {"code": vendors.OutsideVendorContract.code, "status": 403}

    def has_permission(self, source: Any, info: Info[GraphQLContext, Any], **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal is None or not principal.is_vendor:
            return True
        field = f"{info.path.typename}.{info.field_name}"  # the path's last step: this field
        arguments = {name: [str(value)] for name, value in kwargs.items() if value is not None}
        return vendors.refused(vendors.FIELDS, field, arguments) is None


def scoped(scope: Scope) -> list[FieldExtension]:
    """The `extensions=` of a field that needs `scope` (and, for vendors, their contract)."""
    permissions: list[BasePermission] = [HasScope(scope), WithinVendorContract()]
    return [PermissionExtension(permissions=permissions, use_directives=False)]


def declared_scope(extensions: list[Any]) -> Scope | None:
    """The scope a field declared through `scoped`, if any (read by the coverage test)."""
    for extension in extensions:
        if isinstance(extension, PermissionExtension):
            for permission in extension.permissions:
                if isinstance(permission, HasScope):
                    return permission.scope
    return None
