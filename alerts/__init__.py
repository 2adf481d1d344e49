"""Alert digests: subscriptions, story selection, rendering, delivery channels and the ledger.

A digest run selects, per subscription, the stories not yet in the delivery ledger, renders them,
hands them to the subscription's channel and records them only once the channel has accepted them.
"""
