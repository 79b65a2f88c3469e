function(ctx) {
  identity: {
    id: ctx.identity.id,
    metadata_public: if std.objectHas(ctx.identity, 'metadata_public') then ctx.identity.metadata_public else null,
    verifiable_addresses: [
      { value: address.value, verified: address.verified }
      for address in (if std.objectHas(ctx.identity, 'verifiable_addresses') && ctx.identity.verifiable_addresses != null
                      then ctx.identity.verifiable_addresses else [])
    ],
  },
}
