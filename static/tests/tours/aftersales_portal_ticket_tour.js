import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("aftersales_portal_ticket_tour", {
    url: "/my/tickets",
    steps: () => [
        {
            content: "Report a problem from My Tickets",
            trigger: "a#o_aftersales_new_ticket",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Pick one of the customer's own machines",
            trigger: "select[name=lot_id]",
            run: "selectByLabel AUR-0001",
        },
        {
            trigger: "input[name=subject]",
            run: "edit Steam wand leaks",
        },
        {
            trigger: "textarea[name=description]",
            run: "edit Water drips from the steam wand.",
        },
        {
            trigger: "form#o_aftersales_ticket_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The new ticket opens",
            trigger: "#aftersales_ticket_content h2:contains(Steam wand leaks)",
        },
        {
            content: "The customer says the problem is solved",
            trigger: "button#o_aftersales_close",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "and may reopen it",
            trigger: "button#o_aftersales_reopen",
        },
    ],
});
