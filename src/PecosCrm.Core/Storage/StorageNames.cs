namespace PecosCrm.Core.Storage;

/// <summary>
/// The one list of every table, queue and container the app uses. Features add their names here so
/// that start-up creates them all and the generated function.json files name the real queues.
/// </summary>
public static class StorageNames
{
    public static class Tables
    {
        public const string Staff = "staff";
        public const string ApiKeys = "apikeys";
        public const string Audit = "audit";
        public const string Jobs = "jobs";
        public const string Customers = "customers";
        public const string CustomerIndex = "customerindex";
        public const string Tags = "tags";
        public const string TagMembers = "tagmembers";
        public const string Products = "products";

        /// <summary>Every change of a product (field, old, new, who, when), newest first per product.</summary>
        public const string ProductHistory = "producthistory";

        /// <summary>Product views by month, counted from <c>product.viewed</c> events.</summary>
        public const string ProductStats = "productstats";
        public const string OrderIndex = "orderindex";
        public const string OrdersByMonth = "ordersbymonth";

        /// <summary>Which months of the analytical copy are stale, and when each was last built.</summary>
        public const string AnalyticsState = "analyticsstate";

        /// <summary>Net promoter survey answers by month, and marketing spend by month and channel.</summary>
        public const string Nps = "npsresponses";
        public const string MarketingSpend = "marketingspend";

        /// <summary>The RFM segment map: its versions, and which one is current.</summary>
        public const string RfmMaps = "rfmmaps";

        /// <summary>Segment definitions, their members, and when each member joined and left.</summary>
        public const string Segments = "segments";
        public const string SegmentMembers = "segmentmembers";
        public const string SegmentHistory = "segmenthistory";

        /// <summary>Single-use discount codes issued to customers, by code and by customer.</summary>
        public const string DiscountCodes = "discountcodes";

        /// <summary>Addresses that get no email or SMS (bounces, spam reports, unsubscribes), and the development outbox.</summary>
        public const string Suppressions = "suppressions";
        public const string Outbox = "outbox";

        /// <summary>The unified inbox: conversations, their index by last message, their messages and thread keys.</summary>
        public const string Conversations = "conversations";

        /// <summary>Automation workflows (head and versions), their instances (one partition each), and the indexes over them.</summary>
        public const string Automations = "automations";
        public const string AutomationInstances = "automationinstances";
        public const string AutomationIndex = "automationindex";

        /// <summary>Tasks for staff (made by automations for now; the task feature builds on it).</summary>
        public const string Tasks = "tasks";

        /// <summary>Messages waiting for their send time, by due time.</summary>
        public const string ScheduledMessages = "scheduledmessages";

        /// <summary>SendGrid event ids already applied (deduplication), and store-wide open hours.</summary>
        public const string MessageEvents = "messageevents";

        /// <summary>Exports that run on a schedule (daily or weekly).</summary>
        public const string ExportSchedules = "exportschedules";

        /// <summary>Email templates: the current version of each, every version kept, and which defaults were seeded.</summary>
        public const string Templates = "templates";
        /// <summary>Marketing touches (a campaign's or automation's email or SMS sent), by month, for revenue attribution.</summary>
        public const string Touches = "touches";

        /// <summary>Campaigns (bulk email) with their slices, and each campaign's recipients.</summary>
        public const string Campaigns = "campaigns";
        public const string CampaignRecipients = "campaignrecipients";

        /// <summary>Wholesale accounts with their prices, orders and payments; the account list; customer claims.</summary>
        public const string Wholesale = "wholesale";

        /// <summary>Staff tasks: each assignee's partition holds their tasks and the rows of their "my tasks" views.</summary>
        public const string StaffTasks = "stafftasks";
        /// <summary>The sales pipeline: leads with their indexes and activities; deals by pipeline with their board; pipeline and lead-source settings.</summary>
        public const string Leads = "leads";
        public const string Deals = "deals";
        public const string PipelineSettings = "pipelinesettings";
        /// <summary>Support tickets (one partition each, with their conversation), customers' ticket histories, month copies; the ticket lists by status.</summary>
        public const string Tickets = "tickets";
        public const string TicketList = "ticketlist";

        /// <summary>SLA policies, escalation rules and canned responses.</summary>
        public const string SupportSettings = "supportsettings";

        /// <summary>Knowledge-base articles.</summary>
        public const string KbArticles = "kbarticles";
        /// <summary>The loyalty programme's catalogue (earning rules, rewards, achievements, challenges), referrals and counters.</summary>
        public const string Loyalty = "loyalty";

        /// <summary>Outward webhooks: subscriptions and held events, every published event (for retries and replays), and each delivery attempt.</summary>
        public const string Webhooks = "webhooks";
        public const string WebhookEvents = "webhookevents";
        public const string WebhookDeliveries = "webhookdeliveries";

        /// <summary>API requests per key, endpoint and day: counts, errors and latency.</summary>
        public const string ApiUsage = "apiusage";

        /// <summary>Report definitions with their schedules, and each report's snapshots (one row per run).</summary>
        public const string Reports = "reports";
        public const string ReportSnapshots = "reportsnapshots";

        /// <summary>Connectors (Mailchimp, Klaviyo, HubSpot): configuration and sync state, and the log of their calls.</summary>
        public const string Connectors = "connectors";

        /// <summary>Ad-audience files made by queued jobs (segments too large to write on a request).</summary>
        public const string AdAudiences = "adaudiences";

        public static readonly IReadOnlyList<string> All =
        [
            Leads, Deals, PipelineSettings,
            Webhooks, WebhookEvents, WebhookDeliveries, ApiUsage, Connectors, AdAudiences,
            Reports, ReportSnapshots,
            Staff, ApiKeys, Audit, Jobs, Customers, CustomerIndex, Tags, TagMembers, Products, OrderIndex, OrdersByMonth, AnalyticsState, Nps, MarketingSpend,
            RfmMaps, Segments, SegmentMembers, SegmentHistory, DiscountCodes, ExportSchedules, Suppressions, Outbox, ScheduledMessages, MessageEvents, Conversations, Automations, AutomationInstances, AutomationIndex, Tasks, Templates,
            Campaigns, CampaignRecipients, Touches, ProductHistory, ProductStats, Loyalty,
            Wholesale, StaffTasks,
            Tickets, TicketList, SupportSettings, KbArticles,
        ];
    }

    public static class Queues
    {
        public const string Housekeeping = "housekeeping";

        /// <summary>Accepted store event batches waiting to be applied.</summary>
        public const string Events = "events";

        /// <summary>Export jobs waiting to run.</summary>
        public const string Exports = "exports";

        /// <summary>Shards of a recompute job.</summary>
        public const string Recompute = "recompute";

        /// <summary>Segment work: membership refreshes and segment actions (tagging, codes, audiences).</summary>
        public const string Segments = "segments";

        /// <summary>Messages to send now (one per message), and SendGrid event batches to apply.</summary>
        public const string Messages = "messages";
        public const string MessageEvents = "messageevents";

        /// <summary>Campaign work: freezing an audience, batches of up to 500 recipients, A/B decisions, cancellations.</summary>
        public const string Campaigns = "campaigns";

        /// <summary>Webhook work: a batch of published events to deliver, a redelivery, a slice of a replay.</summary>
        public const string Webhooks = "webhooks";

        /// <summary>Integration work: a connector's sync, a large ad-audience file.</summary>
        public const string Integrations = "integrations";

        public static readonly IReadOnlyList<string> All = [Webhooks, Integrations, Housekeeping, Events, Exports, Recompute, Segments, Messages, MessageEvents, Campaigns];

        public static string Poison(string queue) => queue + "-poison";
    }

    public static class Containers
    {
        /// <summary>Leases that keep a timer to one instance, and the record of its last run.</summary>
        public const string Locks = "locks";

        /// <summary>Files made for download (exports); short-lived, removed by housekeeping.</summary>
        public const string Exports = "exports";

        /// <summary>Store event batches as accepted, kept so a batch is never lost between 202 and processing.</summary>
        public const string EventBatches = "event-batches";

        /// <summary>The analytical copy: Parquet files by month, read by DuckDB.</summary>
        public const string Analytics = "analytics";

        /// <summary>Campaigns' customer-id lists: a list audience, the frozen audience, each batch's slice.</summary>
        public const string Campaigns = "campaigns";

        /// <summary>Product images: each original beside its thumbnails, under <c>{productId}/{imageId}/</c>.</summary>
        public const string ProductImages = "product-images";

        /// <summary>Wholesale accounts' tax-exemption certificates, under <c>{accountId}/</c>.</summary>
        public const string TaxCertificates = "tax-certificates";

        /// <summary>Ticket attachments, under <c>{ticketId}/{attachmentId}</c>, served by short-lived links.</summary>
        public const string TicketAttachments = "ticket-attachments";

        /// <summary>Files that came with inbox messages (email attachments), under <c>{conversationId}/{attachmentId}</c>, served by short-lived links.</summary>
        public const string InboxAttachments = "inbox-attachments";

        /// <summary>Report snapshots in full (definition as run, rows, totals), under <c>{reportId}/{snapshotId}.json</c>.</summary>
        public const string Reports = "reports";

        public static readonly IReadOnlyList<string> All = [Locks, Exports, EventBatches, Analytics, Campaigns, ProductImages, TaxCertificates, TicketAttachments, InboxAttachments, Reports];
    }
}
